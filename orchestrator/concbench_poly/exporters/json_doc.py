"""summary.json: the Summary as data, for tools that want numbers rather than tables."""

from __future__ import annotations

from typing import Any

from concbench_poly.aggregate import CaseSummary, Failure, Summary, Sweep
from concbench_poly.claims import Claim
from concbench_poly.decision import Decision, decide, headline, rationale
from concbench_poly.results_store import dump_json
from concbench_poly.statistics import SPREAD_CV, Stat

SUMMARY_VERSION = 1


def export_json(summary: Summary) -> str:
    return dump_json(summary_document(summary))


def summary_document(summary: Summary) -> dict[str, Any]:
    lo, hi = summary.repetitions
    guide = decide(summary)
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
            "limits": list(env.limits),
            "runtimes": list(env.runtimes),
            "hosts": list(env.hosts),
            "runner_view": list(env.runner_view),
            "images": list(env.images),
        },
        "cases": [_case(c) for c in summary.cases],
        "sweeps": [_sweep(s) for s in summary.sweeps],
        "decisions": [_decision(d, summary) for d in guide.decisions],
    }


def _stat(stat: Stat | None) -> dict[str, Any] | None:
    return None if stat is None else dict(stat.as_dict())


def _failure(failure: Failure) -> dict[str, Any]:
    return {"repetition": failure.repetition, "kind": failure.kind, "message": failure.message}


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
            "repeat": case.case.repeat,
            "pool_size": case.case.pool_size,
            "workers": case.case.workers,
        },
        "runs": case.runs,
        "ok_runs": case.ok_runs,
        "parallelism": list(case.parallelism),
        "runtimes": list(case.runtimes),
        "failures": [_failure(f) for f in case.failures],
        "stats": {name: _stat(stat) for name, stat in case.stats.items()},
        "runtime_memory": {name: _stat(stat) for name, stat in case.runtime_stats.items()},
        "claim": case.claim_row.label if case.claim_row else None,
        "checks": [
            {
                "column": check.column,
                "figure": check.figure,
                "expected": _claim(check.claim),
                "measured": check.measured,
                "verdict": check.verdict,
                "caveats": list(check.caveats),
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
                "peak_rss_bytes": _stat(p.peak_rss),
                "cgroup_peak_bytes": _stat(p.cgroup_peak),
                "vm_peak_bytes": _stat(p.vm_peak),
                "per_task_bytes": _stat(p.per_task),
                "marginal_bytes_per_task": p.marginal_bytes_per_task,
                "total_ms": _stat(p.total),
                "floor_ms": p.floor_ms,
                "end_to_end_p99_ms": _stat(p.end_to_end_p99),
                "cpu_s": _stat(p.cpu),
                "failure": _failure(p.failure) if p.failure else None,
                "public_peak_rss": _claim(p.public) if p.public else None,
                "public_verdict": p.public_verdict,
            }
            for p in sweep.points
        ],
    }


def _decision(decision: Decision, summary: Summary) -> dict[str, Any]:
    return {
        "workload": decision.workload,
        "scope": decision.scope,
        "tasks": decision.tasks,
        "pick": decision.pick.key if decision.pick else None,
        "alternatives": [o.key for o in decision.alternatives],
        "close_call": decision.close_call.key if decision.close_call else None,
        "reason": decision.reason,
        "headline": headline(decision, summary.latency_view),
        "rationale": rationale(decision, summary.latency_view),
    }
