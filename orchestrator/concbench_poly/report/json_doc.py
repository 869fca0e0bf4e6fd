"""summary.json: the report model as data, for tools that want numbers rather than tables.

summary_version history: 1 (2026-11-26) first version; 2 (2026-11-27) `environment` is data (limits,
hosts, runner views and runtimes as objects, not sentences), decisions carry their `rule` code and
each claim check its caveats as objects beside their text; `memory_figure` is the cgroup peak
(memory_bytes), each case has `memory_sources` and BenchExec's `flags`, each failure its
`nearest_limit`, and sweep points `memory_bytes` / `memory_per_task_bytes`.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from concbench_poly.analysis.aggregate import CaseSummary, Caveat, Failure, Summary, Sweep
from concbench_poly.analysis.article import BLOCKING_MARGIN
from concbench_poly.analysis.claims import Claim
from concbench_poly.analysis.decision import Decision
from concbench_poly.analysis.report_model import Report
from concbench_poly.analysis.side_by_side import SideRow
from concbench_poly.analysis.statistics import SPREAD_CV, Stat
from concbench_poly.json_format import dump_json
from concbench_poly.report.text import (
    blocking_text,
    caveat_text,
    flag_text,
    guide_cell_text,
    headline,
    limit_text,
    per_task_story,
    projection_outcome,
    rationale,
)

# summary.json's layout: 1 first version; 2 environment as data, decisions with headline and rationale;
# 3 cases' cores/runtime/host, decisions' cores, the article's analysis and guide beside the data.
SUMMARY_VERSION = 3


def export_json(report: Report) -> str:
    return dump_json(summary_document(report))


def summary_document(report: Report) -> dict[str, Any]:
    summary = report.summary
    lo, hi = summary.repetitions
    guide = report.guide
    env = summary.environment
    return {
        "summary_version": SUMMARY_VERSION,
        "latency_view": summary.latency_view,
        "memory_figure": summary.memory_figure,
        "memory_unit": "MiB = 2^20 bytes (claims); figures themselves are in bytes",
        "spread_cv_threshold": SPREAD_CV,
        "claims_tolerance": summary.claims.tolerance,
        "repetitions": {"min": lo, "max": hi},
        "warmups_ignored": summary.warmups_ignored,
        "environment": {
            "executors": list(env.executors),
            "run_ids": list(env.run_ids),
            "limits": [asdict(limits) for limits in env.limits],
            "runtimes": [asdict(runtime) for runtime in env.runtimes],
            "hosts": [asdict(host) for host in env.hosts],
            "runner_views": [asdict(view) for view in env.runner_views],
            "images": list(env.images),
        },
        "cases": [_case(c) for c in summary.cases],
        "sweeps": [_sweep(s) for s in summary.sweeps],
        "decisions": [_decision(d, summary) for d in guide.decisions],
        "article": _article(report),
        "runtimes": [
            {
                "language": v.language,
                "reference": v.reference,
                "runtimes": list(v.runtimes),
                "rows": [side_row_json(row) for row in v.rows],
            }
            for v in report.runtimes
        ],
    }


def _stat(stat: Stat | None) -> dict[str, Any] | None:
    return None if stat is None else dict(stat.as_dict())


def _failure(failure: Failure) -> dict[str, Any]:
    limit = failure.limit
    return {
        "repetition": failure.repetition,
        "kind": failure.kind,
        "message": failure.message,
        "nearest_limit": {**asdict(limit), "text": limit_text(limit)} if limit is not None else None,
    }


def _claim(claim: Claim) -> dict[str, Any]:
    return {
        "stated": list(claim.stated),
        "lo": claim.lo,
        "hi": claim.hi,
        "unit": claim.unit,
        "view": claim.view,
    }


def _case(case: CaseSummary) -> dict[str, Any]:
    return {
        "key": case.key,
        "label": case.label,
        "case": {
            "language": case.case.language,
            "approach": case.case.approach,
            "workload": case.case.workload,
            "tasks": case.case.tasks,
            "io_ms": case.case.io_ms,
            "payload_bytes": case.case.payload_bytes,
            "loop_bytes": case.case.loop_bytes,
            "repeat": case.case.repeat,
            "pool_size": case.case.pool_size,
            "workers": case.case.workers,
            "cores": case.case.cores,
            "runtime": case.case.runtime,
            "host": case.case.host,
        },
        "runs": case.runs,
        "ok_runs": case.ok_runs,
        "parallelism": list(case.parallelism),
        "runtimes": list(case.runtimes),
        "failures": [_failure(f) for f in case.failures],
        "stats": {name: _stat(stat) for name, stat in case.stats.items()},
        "runtime_memory": {name: _stat(stat) for name, stat in case.runtime_stats.items()},
        "memory_sources": list(case.memory_sources),
        "flags": [{"kind": flag.kind, **asdict(flag), "text": flag_text(flag)} for flag in case.flags],
        "claim": case.claim_row.label if case.claim_row else None,
        "checks": [
            {
                "column": check.column,
                "figure": check.figure,
                "expected": _claim(check.claim),
                "measured": check.measured,
                "verdict": check.verdict,
                "caveats": [_caveat(caveat) for caveat in check.caveats],
            }
            for check in case.checks
        ],
    }


def _sweep(sweep: Sweep) -> dict[str, Any]:
    return {
        "label": sweep.label,
        "language": sweep.language,
        "approach": sweep.approach,
        "workload": sweep.workload,
        "largest_completed": sweep.largest_completed,
        "broke_at": sweep.broke_at,
        "break_reason": (_failure(sweep.break_reason) if sweep.break_reason else None),
        "points": [
            {
                "tasks": p.tasks,
                "case": p.case_key,
                "runs": p.runs,
                "ok_runs": p.ok_runs,
                "memory_bytes": _stat(p.memory),
                "peak_rss_bytes": _stat(p.peak_rss),
                "vm_peak_bytes": _stat(p.vm_peak),
                "memory_per_task_bytes": _stat(p.per_task),
                "marginal_bytes_per_task": p.marginal_bytes_per_task,
                "total_ms": _stat(p.total),
                "floor_ms": p.floor_ms,
                "end_to_end_p99_ms": _stat(p.end_to_end_p99),
                "cpu_s": _stat(p.cpu),
                "failure": _failure(p.failure) if p.failure else None,
                "public_peak_memory": [
                    {
                        "series": f.label,
                        "runtime_version": f.runtime_version,
                        "expected": _claim(f.claim),
                        "verdict": f.verdict,
                    }
                    for f in p.publics
                ],
            }
            for p in sweep.points
        ],
    }


def _caveat(caveat: Caveat) -> dict[str, Any]:
    return {"kind": caveat.kind, **asdict(caveat), "text": caveat_text(caveat)}


def _decision(decision: Decision, summary: Summary) -> dict[str, Any]:
    return {
        "workload": decision.workload,
        "scope": decision.scope,
        "tasks": decision.tasks,
        "cores": decision.cores,
        "pick": decision.pick.key if decision.pick else None,
        "alternatives": [o.key for o in decision.alternatives],
        "close_call": decision.close_call.key if decision.close_call else None,
        "rule": decision.rule,
        "headline": headline(decision, summary.latency_view),
        "rationale": rationale(decision, summary.latency_view),
    }


def _article(report: Report) -> dict[str, Any]:
    article = report.article
    view = report.summary.latency_view
    blocking = article.blocking
    return {
        "per_task": [
            {
                "words": c.claim.words,
                "expected_kib": _claim(c.claim.claim),
                "label": c.label,
                "tasks": c.tasks,
                "all_alive": c.all_alive,
                "resident_bytes": c.resident_bytes,
                "resident_verdict": c.resident_verdict,
                "virtual_bytes": c.virtual_bytes,
                "virtual_verdict": c.virtual_verdict,
                "story": per_task_story(c) or None,
            }
            for c in article.per_task
        ],
        "projections": [
            {
                "words": c.claim.words,
                "tasks": c.tasks,
                "expected_mib": _claim(c.claim.claim),
                "basis": c.basis,
                "measured_bytes": _stat(c.measured),
                "projected_resident_bytes": c.projected_resident_bytes,
                "projected_virtual_bytes": c.projected_virtual_bytes,
                "verdict": c.verdict,
                "virtual_verdict": c.virtual_verdict,
                "outcome": projection_outcome(c),
            }
            for c in article.projections
        ],
        "blocking": None
        if blocking is None
        else {
            "margin": BLOCKING_MARGIN,
            "p99_figure": blocking.p99_figure,
            "threshold": blocking.threshold,
            "text": blocking_text(blocking),
            "points": [
                {
                    "tasks": p.tasks,
                    "threading": p.threading.key,
                    "asyncio": p.asyncio.key,
                    "threadpool": p.threadpool.key if p.threadpool else None,
                    "total_ratio": p.total_ratio,
                    "p99_ratio": p.p99_ratio,
                    "within": p.within,
                }
                for p in blocking.points
            ],
        },
        "guide": [
            {
                "row": c.row.label,
                "workload": c.row.workload,
                "language": c.language,
                "article_pick": c.article,
                "measured_pick": c.measured_pick.key if c.measured_pick else None,
                "cores": c.decision.cores if c.decision else None,
                "agrees": c.agrees,
                "text": guide_cell_text(c, view),
            }
            for c in article.guide
        ],
    }


def side_row_json(row: SideRow) -> dict[str, Any]:
    """One case and figure of groups side by side (runtimes here; a fleet's hosts in fleet-summary.json)."""
    return {
        "case": row.key,
        "label": row.label,
        "workload": row.workload,
        "cores": row.cores,
        "tasks": row.tasks,
        "figure": row.figure,
        "unit": row.unit,
        "groups": {c.group: {"stat": _stat(c.stat), "ratio": c.ratio, "verdict": c.verdict} for c in row.cells},
    }
