"""report.html: the report outline as one self-contained page (criterion.rs-style).

The same blocks as report.md (tables with the article's figures and the verdict marks, the decision
guide, details, sweeps, environment), with the plots inlined as SVG. Nothing is fetched: the style is
inline, there is no script, and every SVG is part of the page. Deterministic like every export: the
same report gives the same bytes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from concbench_poly.analysis.report_model import Report
from concbench_poly.report.cells import Cell, Table
from concbench_poly.report.outline import TITLE, Block, Bullets, Heading, Paragraph, TableBlock, report_outline

if TYPE_CHECKING:  # plots imports matplotlib, which only rendering needs
    from concbench_poly.report.plots import Plot

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 1200px;
       padding: 0 1rem; color: #1b1b1b; line-height: 1.4; }
h1 { font-size: 1.8rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ddd; } h3 { margin-top: 1.6rem; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.5rem; vertical-align: top; text-align: left; }
th { background: #f3f3f3; }
td .expected { display: block; color: #555; font-size: 0.8rem; }
.within { color: #1a7f37; } .above, .below { color: #c62828; font-weight: 600; }
.spread { color: #b26a00; }
.notes { font-size: 0.85rem; color: #333; }
figure { margin: 1.2rem 0; } figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 0.9rem; color: #444; }
""".strip()


def export_html(report: Report, plots: Sequence[Plot] = ()) -> str:
    body = "\n".join(_block(block, plots) for block in report_outline(report))
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(TITLE)}</title>\n<style>\n{STYLE}\n</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def _block(block: Block, plots: Sequence[Plot]) -> str:
    if isinstance(block, Heading):
        return f"<h{block.level}>{html.escape(block.text)}</h{block.level}>"
    if isinstance(block, Paragraph):
        return f"<p>{html.escape(block.text)}</p>"
    if isinstance(block, Bullets):
        return _list(block.lines)
    if isinstance(block, TableBlock):
        return _table(block.table, block.level)
    if not plots:
        return ""
    figures = [_figure(index, plot) for index, plot in enumerate(plots)]
    return "\n".join([f"<h{block.level}>{html.escape(block.title)}</h{block.level}>", *figures])


def _list(lines: Sequence[str], css: str | None = None) -> str:
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    attribute = f' class="{css}"' if css else ""
    return f"<ul{attribute}>{items}</ul>"


def _table(table: Table, level: int) -> str:
    parts = [f"<h{level}>{html.escape(table.title)}</h{level}>"]
    if table.intro:
        parts.append(f"<p>{html.escape(table.intro)}</p>")
    head = "".join(f"<th>{html.escape(h)}</th>" for h in table.headers)
    rows = "\n".join("<tr>" + "".join(_cell(cell) for cell in row) + "</tr>" for row in table.rows)
    parts.append(f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>")
    extra = [*table.notes, *table.footer]
    if extra:
        parts.append(_list(extra, "notes"))
    return "\n".join(parts)


def _cell(cell: Cell) -> str:
    value = html.escape(cell.value)
    if cell.spread:
        value += f' <span class="spread">{html.escape(cell.spread)}</span>'
    if cell.refs:
        value += " " + html.escape("".join(f"[{r}]" for r in cell.refs))
    mark = f' <span class="{cell.verdict or ""}">{html.escape(cell.mark)}</span>' if cell.mark else ""
    if cell.expected is not None:
        value += f'<span class="expected">exp {html.escape(cell.expected)}{mark}</span>'
    else:
        value += mark
    return f"<td>{value}</td>"


_XML_PROLOGUE = re.compile(r"\A(?:<\?xml[^>]*\?>\s*)?(?:<!DOCTYPE[^>]*>\s*)?", re.DOTALL)
_ID = re.compile(r'\bid="([^"]+)"')
# url(#x), href="#x", xlink:href="#x": a fragment that ends at a quote or a closing parenthesis.
_REFERENCE = re.compile(r"#([^\s\"'()#]+)(?=[\"')])")


def inline_svg(svg: bytes, prefix: str) -> str:
    """An SVG file as an element of the page: no XML prologue, and ids made unique to this plot.

    matplotlib names glyphs and clip paths the same way in every plot; two plots on one page would
    otherwise define the same ids, and a reference could resolve into the other plot.
    """
    text = _XML_PROLOGUE.sub("", svg.decode("utf-8"))
    ids = set(_ID.findall(text))
    text = _ID.sub(lambda m: f'id="{prefix}{m.group(1)}"', text)
    text = _REFERENCE.sub(lambda m: f"#{prefix}{m.group(1)}" if m.group(1) in ids else m.group(0), text)
    return text.strip()


def _figure(index: int, plot: Plot) -> str:
    svg = inline_svg(plot.svg, f"p{index}-")
    caption = f"<figcaption>{html.escape(plot.title)}</figcaption>"
    return f'<figure id="plot-{html.escape(plot.stem)}">\n{svg}\n{caption}\n</figure>'
