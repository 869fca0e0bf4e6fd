"""memory.peak_rss_bytes is never below an exact VmRSS reading (procfs.peak_rss, Go's peakRSS)."""

from __future__ import annotations

import pytest

from concbench_runner import procfs
from concbench_runner.measurement_window import MeasurementWindow

PAGE = 4096
KIB = 1024


@pytest.mark.parametrize(
    ("hwm_after", "baseline", "rss_after", "expected"),
    [
        pytest.param(900 * PAGE, 800 * PAGE, 850 * PAGE, 900 * PAGE, id="VmHWM-above-both-readings"),
        # On kernel 6.18 VmHWM comes from an approximate per-CPU counter: after the reset it can read
        # a few dozen pages below the exact baseline VmRSS.
        pytest.param(780 * PAGE, 800 * PAGE, 790 * PAGE, 800 * PAGE, id="VmHWM-below-the-baseline"),
        pytest.param(800 * PAGE, 790 * PAGE, 812 * PAGE, 812 * PAGE, id="VmHWM-below-the-reading-after"),
        pytest.param(800 * PAGE, 800 * PAGE, 800 * PAGE, 800 * PAGE, id="all-equal"),
        pytest.param(None, 800 * PAGE, 790 * PAGE, 800 * PAGE, id="VmHWM-unread"),
        pytest.param(900 * PAGE, None, None, 900 * PAGE, id="VmRSS-unread"),
        pytest.param(None, None, None, 0, id="nothing-read"),
    ],
)
def test_peak_rss_is_never_below_an_exact_reading(
    hwm_after: int | None, baseline: int | None, rss_after: int | None, expected: int
) -> None:
    peak = procfs.peak_rss(hwm_after, baseline, rss_after)
    assert peak == expected
    assert all(peak >= reading for reading in (hwm_after, baseline, rss_after) if reading is not None)


def test_memory_document_uses_the_floored_peak() -> None:
    """peak_rss_bytes, per_task_bytes and processes.peak_rss_sum_bytes all come from the same floored peak."""
    window = MeasurementWindow()
    window.baseline_rss_bytes = 800 * PAGE
    # What /proc/self/status can say right after the window on such a kernel: VmHWM below both VmRSS.
    window._status_after = {"VmHWM": f"{780 * PAGE // KIB} kB", "VmRSS": f"{790 * PAGE // KIB} kB"}
    memory = window.memory_document(10, worker_peak_rss_bytes=(1000 * PAGE, 2000 * PAGE))
    assert memory["peak_rss_bytes"] == 800 * PAGE
    assert memory["peak_rss_bytes"] >= memory["baseline_rss_bytes"]
    assert memory["per_task_bytes"] == 0
    assert memory["processes"] == {"count": 3, "peak_rss_sum_bytes": 800 * PAGE + 3000 * PAGE}
