"""A language's runtimes side by side: the default runtime is the reference, and a verdict is given
only outside the noise, in both directions."""

from __future__ import annotations

from concbench_poly.analysis.runtimes import runtime_views
from concbench_poly.results.model import RunResult
from tests.factories import ok


def asyncio_on(variant: str | None, totals: list[float], mib: float) -> list[RunResult]:
    return [
        ok("python", "asyncio", total_ms=t, peak_rss_mib=mib, variant=variant, repetition=i)
        for i, t in enumerate(totals)
    ]


def test_runtimes_line_up_against_the_default() -> None:
    runs = asyncio_on("3.13", [20.0, 20.5, 21.0], 18.0) + asyncio_on("3.11", [13.0, 13.2, 13.1], 18.1)
    (view,) = runtime_views(runs, "service")
    assert (view.language, view.reference, view.runtimes) == ("python", "3.11", ("3.11", "3.13"))
    total = next(r for r in view.rows if r.figure == "total_ms")
    assert total.key == "io-python-asyncio-n1000"  # the runtime is out of the key: the rows line up
    reference, other = total.cells
    assert reference.group == "3.11" and reference.verdict is None
    assert other.group == "3.13" and other.verdict == "slower" and other.ratio is not None and other.ratio > 1.5
    memory = next(r for r in view.rows if r.figure == "memory_bytes")
    assert memory.cells[1].verdict == "no significant difference"  # 18.0 vs 18.1 MiB: within 1%


def test_a_run_without_runtime_is_the_default_one() -> None:
    runs = asyncio_on(None, [13.0, 13.2], 18.0) + asyncio_on("3.13", [13.1, 13.3], 18.0)
    (view,) = runtime_views(runs, "service")
    assert view.runtimes == ("3.11", "3.13")


def test_one_runtime_has_no_view() -> None:
    assert runtime_views(asyncio_on("3.13", [13.0, 13.2], 18.0), "service") == ()
