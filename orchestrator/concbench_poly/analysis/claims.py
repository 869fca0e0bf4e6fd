"""The claims we check measurements against (data/claims.json), loaded into frozen objects.

The file holds the seed article's I/O and CPU-bound tables and the public scale figures; this module
validates it (a typo there would silently turn every check into "not claimed") and answers, for a
measured case, which claim describes it and whether a measured value is within, above or below.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from jsonschema import Draft202012Validator

from concbench_poly.cases import Case
from concbench_poly.config import MIB
from concbench_poly.contract import contract
from concbench_poly.errors import ConcbenchError

Verdict = Literal["within", "above", "below"]
Column = Literal["total", "p50", "p99", "memory", "peak_rss", "per_task"]
ClaimView = Literal["service", "end_to_end"]

# The file's memory unit; claims.json says why MiB and not 10^6 bytes.
MEMORY_UNIT_BYTES = MIB

_CASE_FIELDS = frozenset(f.name for f in dataclasses.fields(Case))


class ClaimsError(ConcbenchError):
    """claims.json is missing, malformed or contradicts itself."""


@dataclass(frozen=True)
class Claim:
    """One expected value: a range as written, or a single value widened by the tolerance."""

    column: Column
    unit: str  # "ms" or "MiB"
    stated: tuple[float, ...]  # what the source printed: (10.5,) or (12.0, 18.0)
    lo: float
    hi: float
    # p50/p99 only: the latency view the source's number can belong to.
    view: ClaimView | None = None

    def verdict(self, value: float | None) -> Verdict | None:
        """Where a measured value (in self.unit) falls; None when nothing was measured."""
        if value is None:
            return None
        if value < self.lo:
            return "below"
        if value > self.hi:
            return "above"
        return "within"

    def holds(self, value: float | None) -> bool | None:
        verdict = self.verdict(value)
        return None if verdict is None else verdict == "within"

    def text(self) -> str:
        """The source's wording, '12-18' (with an en dash) or '10.5'; the unit goes in the header."""
        return "\N{EN DASH}".join(_plain(v) for v in self.stated)


@dataclass(frozen=True)
class CaseMatch:
    """The fields a case must have; a field not listed matches anything."""

    fields: tuple[tuple[str, Any], ...]

    def matches(self, case: Case) -> bool:
        return all(getattr(case, name) == value for name, value in self.fields)

    def get(self, name: str) -> Any:
        return dict(self.fields).get(name)


@dataclass(frozen=True)
class ClaimRow:
    """One row of one of the article's tables."""

    label: str
    workload: Literal["io", "cpu"]
    match: CaseMatch
    claims: tuple[Claim, ...]
    parallelism: int | None  # CPUs the row assumes; None when the row does not depend on it
    note: str | None

    def claim(self, column: Column) -> Claim | None:
        return next((c for c in self.claims if c.column == column), None)


@dataclass(frozen=True)
class ScalePoint:
    tasks: int
    claim: Claim


@dataclass(frozen=True)
class ScaleSeries:
    """Public peak-memory figures of one approach at growing task counts."""

    label: str
    match: CaseMatch
    points: tuple[ScalePoint, ...]
    # The runtime version the figures were measured on ("3.11"); None: any (a band across versions).
    runtime_version: str | None = None
    source: str | None = None  # where these figures come from, where not the section's source

    def at(self, tasks: int) -> Claim | None:
        return next((p.claim for p in self.points if p.tasks == tasks), None)

    def fits(self, runtimes: tuple[str, ...]) -> bool:
        """Whether runs that reported these runtimes ("cpython 3.11.2") are of the series' version."""
        if self.runtime_version is None:
            return True
        wanted = self.runtime_version
        versions = [runtime.split(" ", 1)[-1].removeprefix("go").removeprefix("v") for runtime in runtimes]
        return bool(versions) and all(v == wanted or v.startswith(wanted + ".") for v in versions)


@dataclass(frozen=True)
class AnalysisClaim:
    """A claim of the article's analysis: memory per task, or the memory N tasks would take."""

    words: str  # the article's own words
    match: CaseMatch
    claim: Claim  # per task in KiB, or at `tasks` in MiB
    tasks: int | None  # None: a per-task claim

    @property
    def per_task(self) -> bool:
        return self.tasks is None


@dataclass(frozen=True)
class GuideRow:
    """One row of the article's decision guide: its pick per language."""

    label: str  # "Mixed (I/O + CPU)"
    workload: str  # io, cpu, mixed, or "blocking" (the simple, blocking scenario)
    picks: tuple[tuple[str, str], ...]  # (language, approach)
    note: str | None

    def pick(self, language: str) -> str | None:
        return dict(self.picks).get(language)


@dataclass(frozen=True)
class Claims:
    tolerance: float
    io: tuple[ClaimRow, ...]
    cpu: tuple[ClaimRow, ...]
    scale: tuple[ScaleSeries, ...]
    sources: tuple[tuple[str, str], ...]  # (section, source text), in file order
    notes: tuple[tuple[str, str], ...]  # (section, $comment)
    analysis: tuple[AnalysisClaim, ...] = ()
    guide: tuple[GuideRow, ...] = ()

    def rows(self, workload: str) -> tuple[ClaimRow, ...]:
        return self.io if workload == "io" else self.cpu if workload == "cpu" else ()

    def row_for(self, case: Case) -> ClaimRow | None:
        return next((row for row in self.rows(case.workload) if row.match.matches(case)), None)

    def scale_for(self, case: Case, runtimes: tuple[str, ...] = ()) -> tuple[ScaleSeries, ...]:
        """The public series of the case's approach: the bands across versions, and those measured on
        the runtime version its runs reported."""
        return tuple(s for s in self.scale if s.match.matches(case) and s.fits(runtimes))

    def source(self, section: str) -> str | None:
        return dict(self.sources).get(section)


NO_CLAIMS = Claims(tolerance=0.0, io=(), cpu=(), scale=(), sources=(), notes=())


def default_claims_text() -> str:
    return resources.files("concbench_poly").joinpath("data/claims.json").read_text(encoding="utf-8")


def load_claims(path: Path | None = None) -> Claims:
    """The packaged claims (or another file with the same layout), validated."""
    source = str(path) if path is not None else "concbench_poly/data/claims.json"
    try:
        text = path.read_text(encoding="utf-8") if path is not None else default_claims_text()
    except OSError as exc:
        raise ClaimsError(f"{source}: unreadable ({exc})") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ClaimsError(f"{source}: not JSON ({exc})") from None
    return parse_claims(document, source=source)


def parse_claims(document: Any, *, source: str) -> Claims:
    errors = sorted(Draft202012Validator(_SCHEMA).iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(root)"
        raise ClaimsError(f"{source}: {where}: {first.message}")
    tolerance = float(document["tolerance"]["relative"])
    io = tuple(_row(r, "io", tolerance, source, i) for i, r in enumerate(document["io"]["rows"]))
    cpu = tuple(_row(r, "cpu", tolerance, source, i) for i, r in enumerate(document["cpu"]["rows"]))
    scale = tuple(_series(s, tolerance, source, i) for i, s in enumerate(document["scale"]["series"]))
    analysis = tuple(_analysis(a, tolerance, source, i) for i, a in enumerate(document["analysis"]["claims"]))
    guide = tuple(_guide_row(r, source, i) for i, r in enumerate(document["guide"]["rows"]))
    sections = ("io", "cpu", "scale", "analysis", "guide")
    return Claims(
        tolerance=tolerance,
        io=io,
        cpu=cpu,
        scale=scale,
        sources=tuple((s, document[s]["source"]) for s in sections),
        notes=tuple((s, document[s]["$comment"]) for s in sections if "$comment" in document[s]),
        analysis=analysis,
        guide=guide,
    )


# The guide's "Simple, blocking" row is the I/O workload at a few tasks (cases.blocking_cases).
BLOCKING_ROW = "blocking"


def _guide_row(raw: dict[str, Any], source: str, i: int) -> GuideRow:
    where = f"{source}: guide/rows/{i} ({raw['label']})"
    registry = contract()
    workload = raw["workload"]
    if workload != BLOCKING_ROW and workload not in registry.workload_names:
        raise ClaimsError(f"{where}: unknown workload {workload!r}")
    runs_on = "io" if workload == BLOCKING_ROW else workload
    for language, approach in raw["picks"].items():
        if language not in registry.languages:
            raise ClaimsError(f"{where}: unknown language {language!r}")
        if approach not in registry.runner(language).approaches_for(runs_on):
            raise ClaimsError(f"{where}: {language} has no {runs_on} approach {approach!r}")
    return GuideRow(raw["label"], workload, tuple(raw["picks"].items()), raw.get("$comment"))


def _analysis(raw: dict[str, Any], tolerance: float, source: str, i: int) -> AnalysisClaim:
    where = f"{source}: analysis/claims/{i}"
    if "per_task_kib" in raw:
        claim = _claim("per_task", "KiB", raw["per_task_kib"], tolerance, where)
        return AnalysisClaim(raw["words"], _match(raw["case"], where), claim, None)
    claim = _claim("memory", "MiB", raw["memory_mib"], tolerance, where)
    return AnalysisClaim(raw["words"], _match(raw["case"], where), claim, int(raw["tasks"]))


def _row(raw: dict[str, Any], workload: Literal["io", "cpu"], tolerance: float, source: str, i: int) -> ClaimRow:
    where = f"{source}: {workload}/rows/{i} ({raw['label']})"
    match = _match(raw["case"], where)
    if match.get("workload") != workload:
        raise ClaimsError(f"{where}: case.workload must be {workload!r} in the {workload} table")
    claims: list[Claim] = [_claim("total", "ms", raw["total_ms"], tolerance, where)]
    if workload == "io":
        claims.append(_claim("p50", "ms", raw["p50_ms"], tolerance, where, view="service"))
        p99_view = raw.get("p99_view", "service")
        claims.append(_claim("p99", "ms", raw["p99_ms"], tolerance, where, view=p99_view))
        claims.append(_claim("memory", "MiB", raw["memory_mib"], tolerance, where))
    return ClaimRow(
        label=raw["label"],
        workload=workload,
        match=match,
        claims=tuple(claims),
        parallelism=raw.get("parallelism"),
        note=raw.get("$comment"),
    )


def _series(raw: dict[str, Any], tolerance: float, source: str, i: int) -> ScaleSeries:
    where = f"{source}: scale/series/{i} ({raw['label']})"
    # Ranges are the band across the posts as printed; a single figure (one post, one version) gets the
    # file's tolerance like every other single value.
    points = tuple(
        ScalePoint(tasks=p["tasks"], claim=_claim("peak_rss", "MiB", p["peak_rss_mib"], tolerance, where))
        for p in raw["points"]
    )
    tasks = [p.tasks for p in points]
    if tasks != sorted(set(tasks)):
        raise ClaimsError(f"{where}: points must have increasing, distinct task counts")
    return ScaleSeries(
        label=raw["label"],
        match=_match(raw["case"], where),
        points=points,
        runtime_version=raw.get("runtime_version"),
        source=raw.get("source"),
    )


def _match(raw: dict[str, Any], where: str) -> CaseMatch:
    unknown = sorted(set(raw) - _CASE_FIELDS)
    if unknown:
        raise ClaimsError(f"{where}: case has unknown field(s) {', '.join(unknown)}")
    language, approach = raw.get("language"), raw.get("approach")
    registry = contract()
    if language is not None and language not in registry.languages:
        raise ClaimsError(f"{where}: unknown language {language!r}")
    if language is not None and approach is not None:
        known = registry.runner(language).approach_names
        if approach not in known:
            raise ClaimsError(f"{where}: {language} has no approach {approach!r}")
    return CaseMatch(fields=tuple(sorted(raw.items())))


def _claim(
    column: Column,
    unit: str,
    raw: float | list[float],
    tolerance: float,
    where: str,
    view: ClaimView | None = None,
) -> Claim:
    if isinstance(raw, list):
        lo, hi = float(raw[0]), float(raw[1])
        if lo > hi:
            raise ClaimsError(f"{where}: {column} range [{_plain(lo)}, {_plain(hi)}] is reversed")
        return Claim(column=column, unit=unit, stated=(lo, hi), lo=lo, hi=hi, view=view)
    value = float(raw)
    return Claim(
        column=column,
        unit=unit,
        stated=(value,),
        lo=value * (1 - tolerance),
        hi=value * (1 + tolerance),
        view=view,
    )


def _plain(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


_NUMBER = {"type": "number", "exclusiveMinimum": 0}
_VALUE = {
    "oneOf": [
        _NUMBER,
        {"type": "array", "items": _NUMBER, "minItems": 2, "maxItems": 2},
    ]
}
_CASE = {
    "type": "object",
    "required": ["language", "approach", "workload"],
    "properties": {"workload": {"type": "string", "minLength": 1}},
}
_ROW_COMMON = {"label": {"type": "string", "minLength": 1}, "case": _CASE, "$comment": {"type": "string"}}
_SECTION_COMMON = {"source": {"type": "string", "minLength": 1}, "$comment": {"type": "string"}}


def _section(key: str, item: dict[str, Any]) -> dict[str, Any]:
    """A claims section: its source, and a list `key` of items of one shape."""
    return {
        "type": "object",
        "required": ["source", key],
        "properties": {**_SECTION_COMMON, key: {"type": "array", "items": item}},
    }


def _row_shape(required: list[str], **properties: Any) -> dict[str, Any]:
    """One item of a section: no other keys, so a misspelt key in claims.json fails loudly."""
    return {"type": "object", "required": required, "additionalProperties": False, "properties": properties}


_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["claims_version", "units", "tolerance", "io", "cpu", "scale", "analysis", "guide"],
    "properties": {
        "claims_version": {"const": 1},
        "units": {
            "type": "object",
            "required": ["time", "memory"],
            "properties": {"time": {"const": "ms"}, "memory": {"const": "MiB"}},
        },
        "tolerance": {
            "type": "object",
            "required": ["relative"],
            "properties": {"relative": {"type": "number", "minimum": 0, "exclusiveMaximum": 1}},
        },
        "io": _section(
            "rows",
            _row_shape(
                ["label", "case", "total_ms", "p50_ms", "p99_ms", "memory_mib"],
                **_ROW_COMMON,
                total_ms=_VALUE,
                p50_ms=_VALUE,
                p99_ms=_VALUE,
                memory_mib=_VALUE,
                p99_view={"enum": ["service", "end_to_end"]},
            ),
        ),
        "cpu": _section(
            "rows",
            _row_shape(
                ["label", "case", "total_ms"],
                **_ROW_COMMON,
                total_ms=_VALUE,
                parallelism={"type": "integer", "minimum": 1},
            ),
        ),
        "analysis": _section(
            "claims",
            {
                **_row_shape(
                    ["words", "case"],
                    words={"type": "string", "minLength": 1},
                    case=_CASE,
                    per_task_kib=_VALUE,
                    tasks={"type": "integer", "minimum": 1},
                    memory_mib=_VALUE,
                ),
                "oneOf": [{"required": ["per_task_kib"]}, {"required": ["tasks", "memory_mib"]}],
            },
        ),
        "guide": _section(
            "rows",
            _row_shape(
                ["label", "workload", "picks"],
                label={"type": "string", "minLength": 1},
                workload={"type": "string", "minLength": 1},
                picks={"type": "object", "additionalProperties": {"type": "string"}},
                **{"$comment": {"type": "string"}},
            ),
        ),
        "scale": _section(
            "series",
            _row_shape(
                ["label", "case", "points"],
                **_ROW_COMMON,
                runtime_version={"type": "string", "minLength": 1},
                source={"type": "string", "minLength": 1},
                points={
                    "type": "array",
                    "minItems": 1,
                    "items": _row_shape(
                        ["tasks", "peak_rss_mib"], tasks={"type": "integer", "minimum": 1}, peak_rss_mib=_VALUE
                    ),
                },
            ),
        ),
    },
}
