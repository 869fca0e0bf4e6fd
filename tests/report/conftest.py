"""The fixture set's report and plots, shared by the exporter tests (rendering plots takes seconds)."""

from __future__ import annotations

import pytest

from concbench_poly.analysis.claims import load_claims
from concbench_poly.analysis.report_model import Report, build_report
from concbench_poly.report.plots import Plot, render_plots
from tests.factories import fixture_set


@pytest.fixture(scope="session")
def report() -> Report:
    return build_report(fixture_set(), claims=load_claims(), latency_view="service")


@pytest.fixture(scope="session")
def plots(report: Report) -> list[Plot]:
    return render_plots(report)
