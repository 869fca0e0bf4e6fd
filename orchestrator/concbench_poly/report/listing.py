"""The plain listings of `list` and `build`: one tab-separated line per item, for people and for `cut`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concbench_poly.cases import Case
    from concbench_poly.execution.images import ImageRef
    from concbench_poly.service import RuntimeListing


def _lines(rows: Sequence[Sequence[str]]) -> str:
    return "".join("\t".join(row) + "\n" for row in rows)


def cases(listed: Sequence[Case]) -> str:
    return _lines([(c.workload, c.language, c.approach, c.label, c.key) for c in listed])


def runtimes(listed: Sequence[RuntimeListing]) -> str:
    return _lines(
        [
            (
                r.language,
                r.runtime,
                "default" if r.default else "",
                r.description or "",
                f"with {', '.join(r.approaches)}" if r.approaches else "",
            )
            for r in listed
        ]
    )


def images(refs: Sequence[ImageRef]) -> str:
    return _lines(
        [
            (ref.language, ref.runtime or "default", ref.tag, str(ref.image_id), "built" if ref.built else "up to date")
            for ref in refs
        ]
    )
