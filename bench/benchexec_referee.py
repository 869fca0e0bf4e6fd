#!/usr/bin/env python3
"""An outside referee: BenchExec's runexec and concbench-poly's local executor measure the same runner runs.

For every approach of every language and workload in schema/runner_contract.json, at the article's
default parameters (tasks 1000, io-ms 10, payload-bytes 64, repeat 10000, ThreadPool(50), 4 workers),
the same runner command line (the local executor's, runners/README.md) runs twice per repetition:
  (a) under `runexec --no-container --cores C --memlimit 512MiB --output FILE -- COMMAND` (BenchExec, the
      cgroup-based reference measurer): memory= (the run cgroup's peak), cputime= (the cgroup's CPU
      time), walltime=, returnvalue= from its key=value stdout;
  (b) through concbench-poly's LocalExecutor (Limits cpus=1.0, cpuset=C, 512 MiB) and to_result():
      the headline memory `measurement.memory_bytes` (the run's cgroup peak) and the whole-process CPU
      `measurement.checks.process_cpu_s` (and `checks.cgroup_cpu_s`).
Figures are medians over --repeat runs. Targets: memory within +-10% or 2 MiB (the larger); CPU shown as a
difference in percent, between separate runs (so run-to-run noise included) and, within each runexec run,
between runexec's cputime and the runner's own checks.process_cpu_s of that run ("same-run"). Figures
the tree cannot give yet (no `checks`, a document the schema refuses) show as n/a, with the reason. If
runexec cannot pin with --cores here, runexec itself is pinned with sched_setaffinity (its children
inherit it); the output says which. Prints figures; asserts nothing.

BenchExec is not a dependency of concbench-poly. Get runexec (3.35 still supports cgroup v1) with

    python3 -m venv /tmp/bx && /tmp/bx/bin/pip install benchexec==3.35

and pass --runexec /tmp/bx/bin/runexec; without --runexec the script uses (creating it on first use with
pip) a venv at bench/results/venv-benchexec (bench/results/ is gitignored). runexec needs cgroups it may
write to (root, or BenchExec's cgroup setup).

    python3 bench/benchexec_referee.py [--runexec /tmp/bx/bin/runexec] [--repeat 3] [--cpu 0]
                                       [--out bench/results/referee.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from concbench_poly.cases import Case, plan_cases
from concbench_poly.config import MIB, Limits, WorkloadParams
from concbench_poly.contract import contract
from concbench_poly.execution.base import RunRequest, stderr_tail
from concbench_poly.execution.local_executor import LocalExecutor, runner_command
from concbench_poly.paths import repo_root
from concbench_poly.results.document import runner_args
from concbench_poly.results.outcome import to_result

BENCHEXEC_PIN = "benchexec==3.35"
DEFAULT_VENV = Path(__file__).resolve().parent / "results" / "venv-benchexec"
MEMORY_BYTES = 512 * MIB
MEMORY_TOLERANCE = 0.10
MEMORY_FLOOR_BYTES = 2 * MIB
TIMEOUT_S = 300.0
# The article's parameters (the contract's defaults), one pool size: ThreadPool(50).
PARAMS = WorkloadParams(tasks=1000, io_ms=10, payload_bytes=64, repeat=10000, pool_sizes=(50,), workers=4)


@dataclass(frozen=True)
class Pinning:
    """How the runexec runs are pinned: runexec's own options, or affinity on the runexec process."""

    options: tuple[str, ...]
    affinity: bool
    description: str


def all_cases() -> list[Case]:
    """Every approach of every language for every workload it runs, in the contract's order."""
    registry = contract()
    cases: list[Case] = []
    for language in registry.languages:
        for workload in registry.workload_names:
            if registry.runner(language).approaches_for(workload):
                cases += plan_cases((language,), (workload,), PARAMS)
    return cases


def ensure_runexec(given: Path | None) -> Path:
    """--runexec, else the script's own venv, created with pip on first use."""
    if given is not None:
        if not given.is_file():
            raise SystemExit(f"benchexec_referee: --runexec {given}: no such file")
        return given
    runexec = DEFAULT_VENV / "bin" / "runexec"
    if runexec.is_file():
        return runexec
    print(f"# creating {DEFAULT_VENV} with {BENCHEXEC_PIN}", file=sys.stderr, flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(DEFAULT_VENV)], check=True)
    subprocess.run([str(DEFAULT_VENV / "bin" / "pip"), "install", "--quiet", BENCHEXEC_PIN], check=True)
    return runexec


def runexec_version(runexec: Path) -> str:
    done = subprocess.run([str(runexec), "--version"], capture_output=True, text=True, check=False)
    return (done.stdout or done.stderr).strip()


def parse_runexec(stdout: str) -> dict[str, str]:
    """runexec's key=value result lines."""
    values: dict[str, str] = {}
    for line in stdout.splitlines():
        key, sep, value = line.partition("=")
        if sep and key and " " not in key:
            values[key.strip()] = value.strip()
    return values


def _number(text: str | None, unit: str) -> float | None:
    if text is None or not text.endswith(unit):
        return None
    try:
        return float(text.removesuffix(unit))
    except ValueError:
        return None


def runner_document(output: str) -> dict[str, Any] | None:
    """The runner's JSON document inside runexec's output file (stdout and stderr, after a header)."""
    decoder = json.JSONDecoder()
    found: dict[str, Any] | None = None
    position = 0
    for line in output.splitlines(keepends=True):
        if line.startswith("{"):
            try:
                value, _ = decoder.raw_decode(output, position)
            except ValueError:
                value = None
            if isinstance(value, dict) and "status" in value:
                found = value
        position += len(line)
    return found


def _runexec_call(
    runexec: Path, options: Sequence[str], output: Path, command: Sequence[str], affinity: int | None, cwd: Path
) -> subprocess.CompletedProcess[str]:
    def pin() -> None:
        if affinity is not None:
            os.sched_setaffinity(0, {affinity})

    argv = [str(runexec), "--no-container", *options, "--output", str(output), "--", *command]
    return subprocess.run(
        argv, capture_output=True, text=True, check=False, preexec_fn=pin, cwd=cwd, timeout=TIMEOUT_S + 60
    )


def choose_pinning(runexec: Path, cpu: int, scratch: Path) -> tuple[Pinning, list[str]]:
    """The first way of running runexec that works here: --cores with --memlimit, then affinity."""
    memlimit = ("--memlimit", f"{MEMORY_BYTES}B")
    tries = (
        Pinning(("--cores", str(cpu), *memlimit), False, f"runexec --cores {cpu} --memlimit {MEMORY_BYTES}B"),
        Pinning(memlimit, True, f"runexec --memlimit {MEMORY_BYTES}B, runexec pinned to CPU {cpu} by affinity"),
        Pinning((), True, f"runexec without limits, pinned to CPU {cpu} by affinity"),
    )
    notes: list[str] = []
    for pinning in tries:
        done = _runexec_call(
            runexec, pinning.options, scratch / "probe.log", ["true"], cpu if pinning.affinity else None, scratch
        )
        if parse_runexec(done.stdout).get("returnvalue") == "0":
            return pinning, notes
        notes.append(f"{pinning.description}: failed: {stderr_tail(done.stderr, 3) or done.stdout.strip()[-300:]}")
    raise SystemExit("benchexec_referee: runexec does not run here:\n" + "\n".join(notes))


def measure_runexec(
    runexec: Path, pinning: Pinning, command: list[str], cpu: int, scratch: Path, index: int
) -> dict[str, Any]:
    output = scratch / f"run{index}.log"
    try:
        done = _runexec_call(runexec, pinning.options, output, command, cpu if pinning.affinity else None, scratch)
    except subprocess.TimeoutExpired:
        return {"error": "runexec did not return in time"}
    values = parse_runexec(done.stdout)
    text = output.read_text(encoding="utf-8", errors="replace") if output.is_file() else ""
    document = runner_document(text)
    figures: dict[str, Any] = {
        "memory_bytes": _number(values.get("memory"), "B"),
        "cputime_s": _number(values.get("cputime"), "s"),
        "walltime_s": _number(values.get("walltime"), "s"),
        "returnvalue": values.get("returnvalue"),
        "terminationreason": values.get("terminationreason"),
        "runner_status": document.get("status") if document else None,
        # The runner's own whole-process CPU in this same run: its gap to cputime is the measurers' own
        # difference, free of run-to-run noise.
        "runner_process_cpu_s": ((document or {}).get("checks") or {}).get("process_cpu_s"),
        "warnings": [line for line in done.stderr.splitlines() if " - WARNING - " in line or " - ERROR - " in line],
        "error": None,
    }
    if done.returncode != 0 or "returnvalue" not in values:
        figures["error"] = f"runexec exited {done.returncode}: {stderr_tail(done.stderr, 3)}"
    elif values.get("returnvalue") != "0" or figures["runner_status"] != "ok":
        status = figures["runner_status"]
        figures["error"] = f"runner returned {values.get('returnvalue')} with status {status}: {text.strip()[-300:]}"
    return figures


def measure_concbench(executor: LocalExecutor, case: Case, cpu: int, repetition: int) -> dict[str, Any]:
    request = RunRequest(
        case, Limits(cpus=1.0, cpuset=str(cpu), memory_bytes=MEMORY_BYTES), run_id="referee", repetition=repetition
    )
    figures: dict[str, Any] = {
        "memory_bytes": None,
        "memory_source": None,
        "process_cpu_s": None,
        "cgroup_cpu_s": None,
        "window_cpu_s": None,
        "executor_cgroup_peak_bytes": None,
        "error": None,
        "note": None,
    }
    try:
        raw = executor.run(request)
    except Exception as exc:  # a runner that cannot be built or started: a row, not a crash
        figures["error"] = f"executor: {type(exc).__name__}: {exc}"
        return figures
    figures["executor_cgroup_peak_bytes"] = raw.cgroup_peak_bytes
    figures["applied_limits"] = raw.applied_limits
    try:
        result = to_result(raw, request, executor.host_info())
    except Exception as exc:  # the tree is being changed: a schema the document does not fit yet
        figures["error"] = f"to_result: {type(exc).__name__}: {exc}"
        return figures
    measurement = result.measurement
    if not result.ok or measurement is None:
        figures["error"] = f"status {result.status}: {result.error_kind}: {result.error_message}"
        return figures
    figures["memory_bytes"] = measurement.memory_bytes
    figures["memory_source"] = measurement.memory_source
    figures["window_cpu_s"] = measurement.cpu_s
    if measurement.checks is None:
        figures["note"] = "measurement.checks is None"
    else:
        figures["process_cpu_s"] = measurement.checks.process_cpu_s
        figures["cgroup_cpu_s"] = measurement.checks.cgroup_cpu_s
    return figures


def _median(samples: list[dict[str, Any]], key: str) -> float | None:
    values = [s[key] for s in samples if s.get(key) is not None and s.get("error") is None]
    return statistics.median(values) if values else None


def summarize(case: Case, command: list[str], bx: list[dict[str, Any]], cb: list[dict[str, Any]]) -> dict[str, Any]:
    bx_memory = _median(bx, "memory_bytes")
    cb_memory = _median(cb, "memory_bytes")
    bx_cpu = _median(bx, "cputime_s")
    cb_cpu = _median(cb, "process_cpu_s")
    same_run = [
        (s["runner_process_cpu_s"] - s["cputime_s"]) / s["cputime_s"] * 100
        for s in bx
        if s.get("error") is None and s.get("runner_process_cpu_s") is not None and s.get("cputime_s")
    ]
    memory_diff = cb_memory - bx_memory if cb_memory is not None and bx_memory is not None else None
    tolerance = max(MEMORY_TOLERANCE * bx_memory, MEMORY_FLOOR_BYTES) if bx_memory is not None else None
    return {
        "case": case.key,
        "label": f"{case.workload} {case.label}",
        "command": command,
        "runexec": {
            "memory_bytes": bx_memory,
            "cputime_s": bx_cpu,
            "walltime_s": _median(bx, "walltime_s"),
            "samples": bx,
        },
        "concbench": {
            "memory_bytes": cb_memory,
            "process_cpu_s": cb_cpu,
            "cgroup_cpu_s": _median(cb, "cgroup_cpu_s"),
            "window_cpu_s": _median(cb, "window_cpu_s"),
            "executor_cgroup_peak_bytes": _median(cb, "executor_cgroup_peak_bytes"),
            "samples": cb,
        },
        "memory_diff_bytes": memory_diff,
        "memory_tolerance_bytes": tolerance,
        "memory_within": abs(memory_diff) <= tolerance if memory_diff is not None and tolerance is not None else None,
        "cpu_diff_percent": (cb_cpu - bx_cpu) / bx_cpu * 100 if cb_cpu is not None and bx_cpu else None,
        "same_run_cpu_diff_percent": statistics.median(same_run) if same_run else None,
    }


def _fmt(value: float | None, scale: float = 1.0, spec: str = ".2f", sign: bool = False) -> str:
    if value is None:
        return "n/a"
    return format(value / scale, ("+" if sign else "") + spec)


def table(rows: list[dict[str, Any]]) -> str:
    header = (
        "approach",
        "runexec MiB",
        "concbench MiB",
        "executor peak MiB",
        "diff MiB",
        "within",
        "runexec cpu s",
        "concbench proc cpu s",
        "diff %",
        "concbench cgroup cpu s",
        "same-run diff %",
    )
    lines: list[tuple[str, ...]] = [header]
    notes: list[str] = []
    for row in rows:
        within = row["memory_within"]
        lines.append(
            (
                row["label"],
                _fmt(row["runexec"]["memory_bytes"], MIB),
                _fmt(row["concbench"]["memory_bytes"], MIB),
                _fmt(row["concbench"]["executor_cgroup_peak_bytes"], MIB),
                _fmt(row["memory_diff_bytes"], MIB, sign=True),
                "n/a" if within is None else ("yes" if within else "NO"),
                _fmt(row["runexec"]["cputime_s"], spec=".3f"),
                _fmt(row["concbench"]["process_cpu_s"], spec=".3f"),
                _fmt(row["cpu_diff_percent"], spec=".1f", sign=True),
                _fmt(row["concbench"]["cgroup_cpu_s"], spec=".3f"),
                _fmt(row["same_run_cpu_diff_percent"], spec=".1f", sign=True),
            )
        )
        side_notes = [("runexec", s.get("error")) for s in row["runexec"]["samples"]]
        side_notes += [("concbench", s.get("error") or s.get("note")) for s in row["concbench"]["samples"]]
        for side, note in dict.fromkeys(side_notes):
            if note:
                notes.append(f"  {row['label']}: {side}: {note}")
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    text = [
        "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(line, widths, strict=True)))
        for line in lines
    ]
    text.insert(1, "  ".join("-" * w for w in widths))
    legend = (
        "concbench MiB: measurement.memory_bytes (the headline); executor peak MiB: the local executor's own "
        "reading of the run's cgroup peak (RawRun.cgroup_peak_bytes), shown even where the document is refused\n"
        "diff %: concbench whole-process CPU vs runexec cputime, medians of separate runs; same-run diff %: "
        "the runner's own checks.process_cpu_s vs runexec's cputime within each runexec run (median)"
    )
    return "\n".join([*text, legend, *notes])


def run_all(
    cases: list[Case], runexec: Path, pinning: Pinning, repeat: int, cpu: int, scratch: Path, log: Callable[[str], None]
) -> list[dict[str, Any]]:
    root = repo_root()
    executor = LocalExecutor(root)
    rows: list[dict[str, Any]] = []
    index = 0
    for case in cases:
        command = runner_command(case.language, root) + runner_args(case)
        bx: list[dict[str, Any]] = []
        cb: list[dict[str, Any]] = []
        for repetition in range(repeat):
            index += 1
            bx.append(measure_runexec(runexec, pinning, command, cpu, scratch, index))
            cb.append(measure_concbench(executor, case, cpu, repetition))
        rows.append(summarize(case, command, bx, cb))
        log(f"# {case.key}: done")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runexec", type=Path, help=f"runexec to use (default: {DEFAULT_VENV}, made on demand)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per side and approach; medians count")
    parser.add_argument("--cpu", type=int, default=0, help="the CPU both sides are pinned to")
    parser.add_argument("--out", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat: expected an integer >= 1")
    if args.cpu not in os.sched_getaffinity(0):
        parser.error(f"--cpu: CPU {args.cpu} is not available to this process")

    runexec = ensure_runexec(args.runexec)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="concbench-referee-") as tmp:
        scratch = Path(tmp)
        pinning, pinning_notes = choose_pinning(runexec, args.cpu, scratch)
        print(f"# pinning: {pinning.description}", file=sys.stderr, flush=True)
        rows = run_all(
            all_cases(),
            runexec,
            pinning,
            args.repeat,
            args.cpu,
            scratch,
            lambda s: print(s, file=sys.stderr, flush=True),
        )

    figures = {
        "runexec": str(runexec),
        "runexec_version": runexec_version(runexec),
        "runexec_pinning": pinning.description,
        "runexec_pinning_failed": pinning_notes,
        "concbench_limits": {"cpus": 1.0, "cpuset": str(args.cpu), "memory_bytes": MEMORY_BYTES},
        "params": PARAMS.values(),
        "repeat": args.repeat,
        "memory_target": f"within +-{MEMORY_TOLERANCE:.0%} or {MEMORY_FLOOR_BYTES // MIB} MiB, whichever is larger",
        "elapsed_s": time.perf_counter() - started,
        "approaches": rows,
    }
    print(json.dumps(figures, indent=2))
    print()
    print(f"runexec {figures['runexec_version']} ({pinning.description}); medians of {args.repeat}")
    print(table(rows))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
