"""claims.json: transcribed as the article prints it, keyed to the right cases, validated on load."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from concbench_poly.analysis.claims import (
    Claim,
    ClaimRow,
    ClaimsError,
    Column,
    default_claims_text,
    load_claims,
    parse_claims,
)
from concbench_poly.cases import Case

ARTICLE_IO = {
    # label: total, p50, p99, memory (MB), as printed in the seed article's "Expected Results"
    "Python threading (1000)": ((12, 18), 10.5, 15.2, (30, 80)),
    "Python asyncio (1000)": ((11, 14), 10.2, 12.8, (4, 8)),
    "Python ThreadPool(50)": ((210, 230), 10.3, 210.0, (8, 12)),
    "Python ThreadPool(100)": ((110, 130), 10.3, 120.0, (12, 18)),
    "Go goroutines (1000)": ((11, 13), 10.1, 12.5, (2, 5)),
    "Node.js async (1000)": ((11, 14), 10.2, 12.9, (5, 10)),
}
ARTICLE_CPU = {
    "Python threading (1000)": 820,
    "Python asyncio (1000)": 900,
    "Python multiprocessing(4)": 220,
    "Go goroutines (1000)": 45,
    "Node.js worker_threads(4)": 85,
}


def raw() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(default_claims_text())
    return data


def case_from_match(fields: tuple[tuple[str, Any], ...]) -> Case:
    names = {f.name for f in dataclasses.fields(Case)}
    return Case(**{k: v for k, v in fields if k in names})


def claim(row: ClaimRow, column: Column) -> Claim:
    """The claim a row must make for a column."""
    found = row.claim(column)
    assert found is not None, (row.label, column)
    return found


def test_io_table_as_printed() -> None:
    claims = load_claims()
    assert [r.label for r in claims.io] == list(ARTICLE_IO)
    for row in claims.io:
        total, p50, p99, memory = ARTICLE_IO[row.label]
        assert claim(row, "total").stated == total
        assert claim(row, "p50").stated == (p50,)
        assert claim(row, "p99").stated == (p99,)
        assert claim(row, "memory").stated == memory
        assert claim(row, "memory").unit == "MiB"


def test_cpu_table_as_printed() -> None:
    claims = load_claims()
    assert {r.label: claim(r, "total").stated for r in claims.cpu} == {
        label: (float(ms),) for label, ms in ARTICLE_CPU.items()
    }
    assigned = {r.label: r.parallelism for r in claims.cpu}
    # Every figure of the table comes from the article's 4-core machine, threading and asyncio too.
    assert assigned == {
        "Python threading (1000)": 4,
        "Python asyncio (1000)": 4,
        "Python multiprocessing(4)": 4,
        "Go goroutines (1000)": 4,
        "Node.js worker_threads(4)": 4,
    }


def test_each_row_is_keyed_to_the_case_it_names() -> None:
    # The registry's label of the matched case must read exactly like the article's row.
    for row in (*load_claims().io, *load_claims().cpu):
        assert case_from_match(row.match.fields).label == row.label


def test_single_values_get_the_tolerance_ranges_do_not() -> None:
    claims = load_claims()
    threading = claims.io[0]
    p50 = threading.claim("p50")
    total = threading.claim("total")
    assert p50 is not None and total is not None
    assert claims.tolerance == 0.1
    assert (p50.lo, p50.hi) == pytest.approx((9.45, 11.55))
    assert (total.lo, total.hi) == (12.0, 18.0)
    assert [total.verdict(v) for v in (11.99, 12.0, 18.0, 18.01)] == ["below", "within", "within", "above"]
    assert [p50.holds(v) for v in (9.4, 10.0, 11.6)] == [False, True, False]
    assert p50.holds(None) is None
    assert total.text() == "12\N{EN DASH}18"
    assert p50.text() == "10.5"


def test_pool_p99_claims_are_end_to_end() -> None:
    views = {r.label: claim(r, "p99").view for r in load_claims().io}
    assert views.pop("Python ThreadPool(50)") == "end_to_end"
    assert views.pop("Python ThreadPool(100)") == "end_to_end"
    assert set(views.values()) == {"service"}


def test_row_for_matches_exact_case_fields() -> None:
    claims = load_claims()
    pool50 = Case("python", "threadpool", "io", 1000, io_ms=10.0, pool_size=50)
    row = claims.row_for(pool50)
    assert row is not None and row.label == "Python ThreadPool(50)"
    assert claims.row_for(dataclasses.replace(pool50, io_ms=5.0)) is None
    assert claims.row_for(dataclasses.replace(pool50, tasks=2000)) is None
    assert claims.row_for(dataclasses.replace(pool50, pool_size=20)) is None
    # The article never gives the CPU payload size, so any payload matches.
    go_cpu = Case("go", "goroutines", "cpu", 1000, payload_bytes=4096, repeat=10000)
    row = claims.row_for(go_cpu)
    assert row is not None and row.label == "Go goroutines (1000)"
    assert claims.row_for(dataclasses.replace(go_cpu, repeat=10)) is None


def test_scale_series() -> None:
    claims = load_claims()
    (go,) = claims.scale_for(Case("go", "goroutines", "io", 100000, io_ms=1.0))
    assert [p.tasks for p in go.points] == [10_000, 100_000, 1_000_000]
    point = go.at(1_000_000)
    assert point is not None and point.stated == (2586.0, 2658.0)
    assert go.at(5000) is None
    assert claims.scale_for(Case("python", "threading", "io", 100000, io_ms=10.0)) == ()
    asyncio = Case("python", "asyncio", "io", 10, io_ms=10.0)
    (python,) = claims.scale_for(asyncio)  # no runtime reported: the band across versions only
    python_point = python.at(100_000)
    assert python_point is not None and python_point.stated == (147.0, 241.0)
    # Runs that reported CPython 3.13 also get the figures measured on 3.13, and only those.
    on_313 = claims.scale_for(asyncio, ("cpython 3.13.5",))
    assert [s.runtime_version for s in on_313] == [None, "3.13", "3.13"]
    assert [(p.tasks, p.claim.stated) for s in on_313[1:] for p in s.points] == [
        (1_000_000, (729.0,)),
        (1_000_000, (1276.0,)),
    ]
    assert [s.runtime_version for s in claims.scale_for(asyncio, ("cpython 3.11.2",))] == [None, "3.11"]
    assert [s.runtime_version for s in claims.scale_for(asyncio, ("cpython 3.1.5",))] == [None]


def test_every_section_names_its_source() -> None:
    claims = load_claims()
    assert [s for s, _ in claims.sources] == ["io", "cpu", "scale", "analysis", "guide"]
    assert all(text for _, text in claims.sources)
    assert "MiB" in raw()["units"]["$comment"]


# The seed article's "Analysis" section: (words start, per task KiB or (N, MiB)), as printed.
ARTICLE_ANALYSIS = [
    ("Python threading: each thread has a 1\N{EN DASH}8MB", (1024.0, 8192.0)),
    ("Python asyncio: each coroutine has ~2\N{EN DASH}8KB", (2.0, 8.0)),
    ("Go goroutines: each goroutine starts at 2KB", (2.0,)),
    ("Node.js: each Promise + closure is ~1\N{EN DASH}2KB", (1.0, 2.0)),
    ("10,000 concurrent connections: Threading", (10_000, (10240.0,))),
    ("10,000 concurrent connections: asyncio", (10_000, (40.0,))),
    ("100,000 concurrent WebSocket connections: Threading", (100_000, (102400.0,))),
    ("100,000 concurrent WebSocket connections: asyncio", (100_000, (400.0,))),
]


def test_the_analysis_claims_are_the_articles() -> None:
    claims = load_claims()
    assert len(claims.analysis) == len(ARTICLE_ANALYSIS)
    for claim, (words, expected) in zip(claims.analysis, ARTICLE_ANALYSIS, strict=True):
        assert claim.words.startswith(words)
        if claim.per_task:
            assert claim.claim.unit == "KiB" and claim.claim.stated == expected
        else:
            assert (claim.tasks, claim.claim.stated) == expected and claim.claim.unit == "MiB"
    thread = claims.analysis[0]
    assert thread.match.matches(Case("python", "threading", "io", 10_000, io_ms=10.0))
    assert not thread.match.matches(Case("python", "asyncio", "io", 10_000, io_ms=10.0))


def test_the_guide_has_the_articles_four_rows_and_picks() -> None:
    rows = load_claims().guide
    assert [(r.label, r.workload) for r in rows] == [
        ("I/O-bound, high concurrency", "io"),
        ("CPU-bound", "cpu"),
        ("Mixed (I/O + CPU)", "mixed"),
        ("Simple, blocking (legacy libs)", "blocking"),
    ]
    assert [r.pick("python") for r in rows] == ["asyncio", "multiprocessing", "asyncio-processpool", "threading"]
    assert [r.pick("node") for r in rows] == ["async", "worker_threads", "async-workers", "async"]
    assert all(r.pick("go") == "goroutines" for r in rows)


def _broken(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(raw())
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["io"]["rows"][0].update(total_ms=[18, 12]), "reversed"),
        (lambda d: d["io"]["rows"][0]["case"].update(language="cobol"), "unknown language"),
        (lambda d: d["io"]["rows"][0]["case"].update(approach="fibers"), "no approach"),
        (lambda d: d["io"]["rows"][0]["case"].update(threads=4), "unknown field"),
        (lambda d: d["io"]["rows"][0].pop("p99_ms"), "io/rows/0"),
        (lambda d: d["cpu"]["rows"][0]["case"].update(workload="io"), "must be 'cpu'"),
        (lambda d: d["units"].update(memory="MB"), "units/memory"),
        (lambda d: d["scale"]["series"][0]["points"].reverse(), "increasing"),
        (lambda d: d["analysis"]["claims"][0].pop("per_task_kib"), "analysis"),
        (lambda d: d["analysis"]["claims"][0]["case"].update(approach="fibers"), "no approach"),
        (lambda d: d["guide"]["rows"][2]["picks"].update(node="worker_threads"), "no mixed approach"),
        (lambda d: d["guide"]["rows"][0].update(workload="gpu"), "unknown workload"),
        (lambda d: d["guide"]["rows"][3]["picks"].update(cobol="threads"), "unknown language"),
    ],
)
def test_invalid_files_are_rejected(change: Any, message: str) -> None:
    with pytest.raises(ClaimsError, match=message):
        parse_claims(_broken(change), source="claims.json")


def test_load_from_path(tmp_path: Path) -> None:
    good = tmp_path / "claims.json"
    good.write_text(default_claims_text(), encoding="utf-8")
    assert load_claims(good) == load_claims()
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(ClaimsError, match="not JSON"):
        load_claims(bad)
    with pytest.raises(ClaimsError, match="unreadable"):
        load_claims(tmp_path / "missing.json")
