"""report.html: one self-contained, deterministic page with the report's tables, marks, guide and plots.

The browser test renders it in headless Chromium (Debian's package) with every host unresolvable, and
reads back the DOM the browser built and a screenshot. Without a browser it skips with a reason;
CONCBENCH_REQUIRE_BROWSER=1 (CI) makes that a failure, as CONCBENCH_REQUIRE_DOCKER does for engines.
"""

from __future__ import annotations

import html
import io
import os
import re
import shutil
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

from concbench_poly.analysis.claims import load_claims
from concbench_poly.analysis.report_model import Report, build_report
from concbench_poly.report.html import export_html, inline_svg
from concbench_poly.report.outline import TableBlock, report_outline
from concbench_poly.report.plots import Plot
from tests.factories import fixture_set

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Any fetch the page tried would fail: the page must not need one.
    "--host-resolver-rules=MAP * ~NOTFOUND",
)


class Elements(HTMLParser):
    """Counts start tags and collects attribute values, as a DOM check needs."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: Counter[str] = Counter()
        self.ids: list[str] = []
        self.urls: list[str] = []
        self.classes: Counter[str] = Counter()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        for name, value in attrs:
            if value is None:
                continue
            if name == "id":
                self.ids.append(value)
            if name in ("src", "href", "xlink:href"):
                self.urls.append(value)
            if name == "class":
                self.classes.update(value.split())


def parse(text: str) -> Elements:
    parser = Elements()
    parser.feed(text)
    return parser


@pytest.fixture(scope="module")
def page(report: Report, plots: list[Plot]) -> str:
    return export_html(report, plots=plots)


def test_same_report_same_bytes(report: Report, plots: list[Plot], page: str) -> None:
    assert export_html(build_report(list(reversed(fixture_set())), claims=load_claims()), plots=plots) == page


def test_self_contained(page: str) -> None:
    elements = parse(page)
    assert elements.tags["script"] == 0 and elements.tags["link"] == 0 and elements.tags["img"] == 0
    # Every reference stays inside the page: fragment links only.
    assert elements.urls and all(url.startswith("#") for url in elements.urls)
    assert "url(http" not in page and "@import" not in page


def test_tables_match_the_outline_and_carry_the_marks(report: Report, page: str) -> None:
    elements = parse(page)
    tables = [b.table for b in report_outline(report) if isinstance(b, TableBlock)]
    assert elements.tags["table"] == len(tables)
    for table in tables:
        assert f">{html.escape(table.title)}<" in page
    # The article's figures beside the measured ones, with a verdict class per mark.
    assert elements.classes["expected"] > 0
    assert elements.classes["within"] > 0 and elements.classes["above"] > 0
    assert "Decision guide" in page and "Go goroutines \N{EM DASH} total" in page


def test_plots_are_inline_svg_with_ids_unique_to_the_page(plots: list[Plot], page: str) -> None:
    elements = parse(page)
    assert elements.tags["svg"] == len(plots) == elements.tags["figure"]
    assert len(elements.ids) == len(set(elements.ids)), "two plots define the same id"
    defined = set(elements.ids)
    assert all(url[1:] in defined for url in elements.urls), "a reference points at no element of the page"


def test_inline_svg_prefixes_definitions_and_references() -> None:
    svg = (
        b'<?xml version="1.0"?>\n<!DOCTYPE svg>\n<svg xmlns="http://www.w3.org/2000/svg">'
        b'<defs><path id="g1"/></defs><use xlink:href="#g1"/><rect clip-path="url(#g1)" fill="#fff"/></svg>'
    )
    text = inline_svg(svg, "p3-")
    assert text.startswith("<svg")
    assert 'id="p3-g1"' in text and 'href="#p3-g1"' in text and "url(#p3-g1)" in text
    assert 'fill="#fff"' in text  # a colour is not a reference


@pytest.fixture(scope="module")
def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CONCBENCH_REQUIRE_BROWSER") == "1":
            pytest.fail("CONCBENCH_REQUIRE_BROWSER=1 but no chromium on PATH (apt-get install chromium)")
        pytest.skip("no headless browser: apt-get install chromium to render report.html")
    return path


def _run_chromium(chromium: str, profile: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    command = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
    return subprocess.run(command, capture_output=True, timeout=120, check=False)


def test_the_browser_renders_tables_plots_and_guide(
    chromium: str, page: str, plots: list[Plot], tmp_path: Path
) -> None:
    path = tmp_path / "report.html"
    path.write_text(page, encoding="utf-8")
    dumped = _run_chromium(chromium, tmp_path / "profile", "--dump-dom", path.as_uri())
    assert dumped.returncode == 0, dumped.stderr.decode(errors="replace")[-2000:]
    dom = dumped.stdout.decode("utf-8")
    elements = parse(dom)
    # What the browser built from the file, not the file: tables, every inline plot, the guide.
    assert elements.tags["table"] == parse(page).tags["table"] >= 5
    assert elements.tags["svg"] == len(plots)
    assert re.search(r"<h2>Decision guide</h2>", dom)

    shot = tmp_path / "report.png"
    taken = _run_chromium(
        chromium, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1280,4000", path.as_uri()
    )
    assert taken.returncode == 0 and shot.is_file(), taken.stderr.decode(errors="replace")[-2000:]
    image = Image.open(io.BytesIO(shot.read_bytes())).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20)
    # A page that rendered text, table rules and coloured plots has many colours, not one blank fill.
    assert colours is not None and len(colours) > 50
