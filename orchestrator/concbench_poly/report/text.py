"""The report's prose, in one place: every sentence an exporter prints about the model's data.

The analysis layer hands over codes and numbers (a caveat, a decision rule, the limits a run saw);
these functions word them, so the terminal, markdown, HTML and JSON exports say the same thing.
"""

from __future__ import annotations

from collections.abc import Sequence

from concbench_poly.analysis.aggregate import Caveat, Failure, ParallelismCaveat, Plausibility, Sweep, ViewCaveat
from concbench_poly.analysis.article import BLOCKING_MARGIN, BlockingScenario, GuideCell, PerTaskCheck, ProjectionCheck
from concbench_poly.analysis.claims import Verdict
from concbench_poly.analysis.decision import OVERALL, Decision, DecisionGuide, Option, Rule
from concbench_poly.analysis.environment import HostSeen, LimitsSeen, RunnerView, RuntimeSeen
from concbench_poly.analysis.figures import LatencyView
from concbench_poly.analysis.flags import (
    CPU_AGREEMENT,
    BusySiblings,
    CpuDisagreement,
    Flag,
    FrequencyScaling,
    SharedPages,
    Stolen,
    Swapped,
    Throttled,
    Turbo,
)
from concbench_poly.analysis.limits import LimitHit
from concbench_poly.analysis.runtimes import RuntimeView
from concbench_poly.analysis.statistics import Stat
from concbench_poly.cases import Case
from concbench_poly.config import MIB
from concbench_poly.contract import contract
from concbench_poly.report import units

LATENCY_VIEW_TEXT: dict[LatencyView, str] = {
    "service": "service latency (task start to finish, what the article's code times)",
    "end_to_end": "end-to-end latency (submission to finish, queueing included)",
}

RULE_TEXT: dict[Rule, str] = {
    "only": "only approach measured",
    "io_memory": "least memory (cgroup peak) among the approaches within 1.5x of the fastest total time",
    "cpu_time": "shortest total (wall) time",
    "mixed_wakeup": "smallest wake-up lateness p99 among the approaches within 1.5x of the fastest total time",
}


def plural(count: int, noun: str) -> str:
    """'1 core', '2 cores'."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def workload_title(workload: str) -> str:
    """'I/O-bound', from the contract; a workload it no longer lists keeps its key."""
    return next((w.title for w in contract().workloads if w.name == workload), workload)


def runner_text(failure: Failure) -> str:
    return f"{failure.language} runner"


def limit_text(limit: LimitHit) -> str:
    """'65,526 of 65,530 memory mappings (vm.max_map_count)'."""
    if limit.unit == "bytes":
        used, of = units.mib(limit.used), units.mib(limit.limit)
    else:
        used, of = f"{limit.used:,}", f"{limit.limit:,}"
    return f"{used} of {of} {limit.resource} ({limit.setting})"


def reason_of(failure: Failure) -> str:
    """The failure's message, and the limit that was nearest to binding when the runner recorded it."""
    if failure.limit is None:
        return failure.message
    return f"{failure.message}; nearest limit: {limit_text(failure.limit)}"


def caveat_text(caveat: Caveat) -> str:
    """Caveat texts name no row, so a table can give rows with the same reason one footnote."""
    if isinstance(caveat, ViewCaveat):
        if caveat.claim_view == "end_to_end":
            return (
                "the article's p99 for a bounded pool is the wait of the last batches, i.e. end-to-end "
                "latency; this column shows service latency (the end-to-end view compares like with like)"
            )
        return "the article timed this from task start, i.e. service latency; this column shows end-to-end latency"
    assert isinstance(caveat, ParallelismCaveat)
    return (
        f"the article's machine had {caveat.claimed} cores; this run had {caveat.seen}, so its figure is shown "
        "but not judged here"
    )


def plausibility_text(plausibility: Plausibility) -> str:
    need, rate = plausibility.required_bytes_per_s, plausibility.per_core_bytes_per_s
    return (
        f"not reachable at this rate on {plausibility.cores} cores: the article's time means "
        f"{_rate(need)}, while one core here does {_rate(rate)}, so {plausibility.cores} cores at most "
        f"{_rate(plausibility.cores * rate)}"
    )


def _rate(bytes_per_s: float) -> str:
    return (
        f"{units.number(bytes_per_s / 1e9)} GB/s" if bytes_per_s >= 1e8 else f"{units.number(bytes_per_s / 1e6)} MB/s"
    )


def flag_text(flag: Flag) -> str:
    """One BenchExec check that failed, with its numbers."""
    if isinstance(flag, CpuDisagreement):
        return (
            f"whole-process CPU: cgroup {units.seconds(flag.cgroup_s)} vs rusage {units.seconds(flag.process_s)} "
            f"({flag.difference:.0%} apart; BenchExec warns above {CPU_AGREEMENT:.0%})"
        )
    if isinstance(flag, Throttled):
        return f"CPU throttled in {flag.periods} periods ({units.seconds(flag.seconds)})"
    if isinstance(flag, Swapped):
        return f"{flag.pages} pages swapped while the window was open"
    if isinstance(flag, FrequencyScaling):
        return f"frequency governor {', '.join(flag.governors)} (not performance)"
    if isinstance(flag, Turbo):
        return "turbo boost on: the clock rate varied with load and temperature"
    if isinstance(flag, BusySiblings):
        return f"hyperthread siblings {flag.siblings} busy {flag.busy:.0%} of the run"
    if isinstance(flag, Stolen):
        return (
            f"the hypervisor took {flag.median:.0%} of the pinned cores' time in the median run (up to "
            f"{flag.worst:.0%}): other guests ran on them, so times vary more than the runtime does"
        )
    assert isinstance(flag, SharedPages)
    return (
        f"no cgroup of its own: memory is {flag.processes} processes' peak RSS summed, "
        "so shared pages may count more than once"
    )


# --- environment ------------------------------------------------------------------------------


def _bytes_text(value: int | None) -> str:
    return f"{value / MIB:g} MiB" if value is not None else "unlimited"


def limits_text(limits: LimitsSeen) -> str:
    parts = [
        f"cpus {limits.cpus:g}" if limits.cpus is not None else "cpus unlimited",
        f"cpuset {limits.cpuset or 'any'}",
        f"memory {_bytes_text(limits.memory_bytes)}",
        f"pids {limits.pids}" if limits.pids is not None else "pids unlimited",
        f"timeout {limits.timeout_s:g} s" if limits.timeout_s is not None else "no timeout",
    ]
    return ", ".join(parts)


def host_text(host: HostSeen) -> str:
    parts = [
        f"kernel {host.kernel or '?'}",
        f"CPU {host.cpu_model or '?'}",
        f"{host.cpu_count} logical CPUs" if host.cpu_count else "CPUs ?",
        f"Docker {host.docker_version}" if host.docker_version else "no Docker",
        f"cgroup v{host.cgroup_version}" if host.cgroup_version else "cgroup ?",
    ]
    return ", ".join(parts)


def runner_view_text(view: RunnerView) -> str:
    parts = [
        f"parallelism {view.parallelism}",
        f"affinity {view.affinity or '?'}",
        f"cgroup v{view.cgroup_version}" if view.cgroup_version else "no cgroup",
        f"CPU quota {view.cpu_quota_cores:g}" if view.cpu_quota_cores is not None else "no CPU quota",
        f"cpuset {view.cpuset or '?'}",
        f"memory limit {_bytes_text(view.memory_limit_bytes)}",
    ]
    return ", ".join(parts)


def runtime_text(runtime: RuntimeSeen) -> str:
    text = f"{contract().display_name(runtime.language)}: {runtime.runtime}"
    if runtime.gil_enabled is not None:
        text += " (GIL on)" if runtime.gil_enabled else " (free-threaded, GIL off)"
    if runtime.build_flags:
        text += f", built with {runtime.build_flags}"
    return text


# --- decision guide ---------------------------------------------------------------------------


def scope_label(decision: Decision) -> str:
    return "All languages" if decision.scope == OVERALL else contract().display_name(decision.scope)


def _ms(stat: Stat | None) -> str:
    return "n/a" if stat is None else units.ms(stat.median)


def _s(stat: Stat | None) -> str:
    return "n/a" if stat is None else units.seconds(stat.median)


def _mib(stat: Stat | None) -> str:
    return "n/a" if stat is None else units.mib(stat.median)


def option_figures(option: Option, view: LatencyView, workload: str) -> str:
    if not option.completed:
        return f"failed ({_failure(option.failure)})"
    parts = [f"total {_ms(option.total_ms)}"]
    if workload == "io":
        parts.append(f"p99 {_ms(option.p99_ms)} ({view.replace('_', '-')})")
    elif workload == "mixed":
        parts.append(f"wake-up p99 {_ms(option.wakeup_p99_ms)} late")
        busy = f" ({option.busy_cores:.2f} cores busy)" if option.busy_cores is not None else ""
        parts.append(f"CPU {_s(option.cpu_s)}{busy}")
    else:
        busy = f" ({option.busy_cores:.2f} cores busy)" if option.busy_cores is not None else ""
        parts.append(f"CPU {_s(option.cpu_s)}{busy}")
    parts.append(f"{_mib(option.memory_bytes)} memory")
    return ", ".join(parts)


def _failure(failure: Failure | None) -> str:
    return f"{failure.kind}: {reason_of(failure)}" if failure is not None else "no run finished"


def broken_text(sweep: Sweep) -> str:
    reason = sweep.break_reason
    assert reason is not None
    return f"{sweep.label} broke at N={sweep.broke_at} ({reason.kind}: {reason_of(reason)})"


def _never_ran(decision: Decision) -> str:
    return f"{', '.join(decision.missing)} never ran" if decision.missing else ""


def headline(decision: Decision, view: LatencyView) -> str:
    """'asyncio — total 12.9 ms, p99 12.1 ms (service), 18.3 MiB memory' or why there is none."""
    never = _never_ran(decision)
    if not decision.measured:
        return f"not measured ({never})" if never else "not measured"
    if decision.pick is None:
        reasons = [f"{decision.name(o)}: {_failure(o.failure)}" for o in decision.alternatives]
        return f"no approach completed ({'; '.join([*reasons, never] if never else reasons)})"
    pick = f"{decision.name(decision.pick)} \N{EM DASH} {option_figures(decision.pick, view, decision.workload)}"
    return f"partial: {pick}" if never else pick


def reason_text(decision: Decision) -> str:
    return RULE_TEXT[decision.rule] if decision.rule is not None else ""


def rationale(decision: Decision, view: LatencyView) -> str:
    """The rule, then the numbers of the alternatives, as one sentence."""
    parts = [reason_text(decision)] if decision.pick is not None else []
    if decision.pick is not None and decision.alternatives:
        others = "; ".join(
            f"{decision.name(o)}: {option_figures(o, view, decision.workload)}" for o in decision.alternatives
        )
        parts.append(f"vs {others}")
    if decision.close_call is not None:
        close = decision.name(decision.close_call)
        parts.append(f"not significantly different from {close} ([min, max] ranges overlap)")
    parts += [broken_text(s) for s in decision.broken]
    if decision.missing and decision.pick is not None:
        parts.append(f"partial: {_never_ran(decision)}, so this pick may not hold")
    if decision.pick is not None and decision.cores:
        parts += why_cpu(decision)
    return "; ".join(parts)


def why_cpu(decision: Decision) -> list[str]:
    """Why the CPU pick won, from what each approach did with its cores."""
    cores = decision.cores or 1
    reasons = []
    for option in (decision.pick, *decision.alternatives):
        if option is None or option.busy_cores is None or not option.completed:
            continue
        busy = option.busy_cores
        name = decision.name(option)
        if option.kind in ("threads", "thread-pool") and option.language == "python" and cores > 1:
            if busy < 1.25:
                reasons.append(f"{name} kept {busy:.2f} of {cores} cores busy: the GIL ran its threads one at a time")
            elif busy > 0.75 * cores:
                reasons.append(f"{name} kept {busy:.2f} of {cores} cores busy: the work released the GIL")
        elif option.kind == "process-pool" and option is decision.pick and cores > 1:
            reasons.append(f"{name} ran in parallel processes, each with its own interpreter and memory")
    return reasons


def decision_line(decision: Decision, view: LatencyView) -> str:
    where = f"{scope_label(decision)}, {workload_title(decision.workload)}"
    if decision.tasks is not None:
        cores = f", {plural(decision.cores, 'core')}" if decision.cores else ""
        where += f" (N={decision.tasks}{cores})"
    why = rationale(decision, view)
    return f"{where}: {headline(decision, view)}" + (f". {why[0].upper()}{why[1:]}." if why else ".")


def guide_text(guide: DecisionGuide) -> str:
    """The guide as plain text lines, for terminals."""
    lines = ["Decision guide (from these measurements):"]
    lines += [f"- {decision_line(d, guide.latency_view)}" for d in guide.decisions]
    return "\n".join(lines) + "\n"


# --- the article's analysis and guide, beside the measurements ------------------------------------


def blocking_text(scenario: BlockingScenario) -> str:
    """'Threads stayed within 10% of asyncio up to N=100; at N=500 ...', the scenario's finding."""
    margin = f"{BLOCKING_MARGIN:.0%}"
    counts = ", ".join(str(p.tasks) for p in scenario.points)
    beyond = scenario.first_beyond
    if beyond is None:
        return (
            f"Python's threads stayed within {margin} of asyncio's total time and p99 at every N measured ({counts})."
        )
    lag = f"threading's total time was {beyond.total_ratio:.2f}x asyncio's and its p99 {beyond.p99_ratio:.2f}x"
    if scenario.threshold is None:
        return f"Python's threads were never within {margin} of asyncio here: at N={beyond.tasks}, {lag}."
    return (
        f"Python's threads stayed within {margin} of asyncio's total time and p99 up to N={scenario.threshold}; "
        f"at N={beyond.tasks}, {lag} (measured at N = {counts})."
    )


# How a measured figure stands against a claim, in words.
CLAIM_VERDICT: dict[Verdict, str] = {
    "within": "as the article says",
    "above": "more than the article says",
    "below": "less than the article says",
}


def per_task_story(check: PerTaskCheck) -> str:
    """Why resident and virtual memory disagree about a per-task claim, where they do."""
    resident, virtual = check.resident_verdict, check.virtual_verdict
    if resident is None or virtual is None or check.resident_bytes is None or check.virtual_bytes is None:
        return ""
    if not check.stories_differ:
        return ""
    story = (
        f"resident and virtual memory tell different stories: {units.size(check.resident_bytes)} per task "
        f"resident ({CLAIM_VERDICT[resident]}), {units.size(check.virtual_bytes)} per task virtual "
        f"({CLAIM_VERDICT[virtual]})"
    )
    language, approach = check.claim.match.get("language"), check.claim.match.get("approach")
    if language and approach and contract().approach_kind(language, approach) == "threads":
        story += (
            ": a thread's stack is reserved whole and its pages are touched one by one, so 'MB per thread' "
            "is address space, not memory the machine runs out of"
        )
    return story


NOT_ALL_ALIVE = (
    "fewer than 90% of the tasks were alive at once at this N (spawning them took longer than D), so the "
    "figure is per task started, not per concurrent task; raise --io-ms to hold every task at once"
)


def projection_outcome(check: ProjectionCheck) -> str:
    """How the run answered '10,000 threads = 10 GB': measured, broke first, projected, or not at all."""
    if check.basis == "measured":
        return "measured"
    if check.basis == "broke" and check.broke is not None:
        return f"never reached: {broken_text(check.broke)}"
    if check.basis == "projected":
        return f"projected (not measured at N={check.tasks:,}: sweep --tasks {check.tasks} measures it)"
    return f"not measured (sweep --tasks {check.tasks} measures it)"


AGREEMENT = {True: "\N{CHECK MARK} agrees", False: "\N{BALLOT X} differs"}


def guide_cell_text(cell: GuideCell, view: LatencyView) -> str:
    """'✓ agrees: article asyncio; measured (N=1000) asyncio, least memory ...' for one language."""
    article = contract().approach_label(cell.language, cell.article) if cell.article else "none"
    if cell.blocking is not None:
        agreement = AGREEMENT[bool(cell.agrees)]
        return f"{agreement}: article {article} (if few threads). {blocking_text(cell.blocking)}"
    decision = cell.decision
    if decision is None:
        return f"article {article}; not measured"
    pick = cell.measured_pick
    if pick is None:
        return f"article {article}; measured: {headline(decision, view)}"
    where = f"N={decision.tasks}" + (f", {plural(decision.cores, 'core')}" if decision.cores else "")
    parts = [
        f"{AGREEMENT[bool(cell.agrees)]}: article {article}; measured ({where}) {pick.short}, "
        f"{'the' if decision.rule == 'only' else 'by'} {reason_text(decision)}: "
        f"{option_figures(pick, view, decision.workload)}"
    ]
    if not cell.agrees:
        other = cell.article_option
        if other is not None:
            parts.append(f"{other.short}: {option_figures(other, view, decision.workload)}")
        else:
            parts.append(f"{article} was not measured")
        parts += why_cpu(decision) if decision.cores else []
    if decision.missing:
        parts.append(f"partial: {_never_ran(decision)}")
    return "; ".join(parts)


def mixed_title(cases: Sequence[Case], cpu_ms: float | None) -> str:
    """'Mixed I/O + CPU: each task waits D = 10 ms, then does C = 2 ms of one core's work'."""
    waits = sorted({c.io_ms for c in cases if c.io_ms is not None})
    wait = f"D = {'/'.join(f'{d:g}' for d in waits)} ms" if waits else "D ms"
    work = f"C = {cpu_ms:g} ms of one core's work" if cpu_ms is not None else "C bytes of cpu-loop work"
    return f"{workload_title('mixed')}: each task waits {wait}, then does {work}"


def mixed_intro(cases: Sequence[Case], cpu_ms: float | None) -> str:
    """The bytes each language's C came to, calibrated on one core before the run."""
    per_language = sorted({(c.language, c.loop_bytes) for c in cases if c.loop_bytes is not None})
    amounts = ", ".join(f"{contract().display_name(lang)} {n:,} bytes" for lang, n in per_language)
    if cpu_ms is None:
        return f"The CPU part hashes these many bytes per task with cpu-loop's FNV-1a: {amounts}."
    return (
        f"The CPU part hashes, with cpu-loop's FNV-1a, what one core of this machine hashes in {cpu_ms:g} ms in "
        f"each language (a 1-core cpu-loop run before the suite measured the rate): {amounts}."
    )


def article_guide_text(cells: Sequence[GuideCell], view: LatencyView) -> str:
    """The article's guide, one line per row and language, for terminals."""
    lines = ["The article's decision guide, beside the measured picks:"]
    lines += [
        f"- {cell.row.label}, {contract().display_name(cell.language)}: {guide_cell_text(cell, view)}" for cell in cells
    ]
    return "\n".join(lines) + "\n"


def runtimes_intro(view: RuntimeView) -> str:
    """What a runtimes view compares, and each runtime's image recipe as the contract states it."""
    runner = contract().find_runner(view.language)
    lines = [
        f"Each approach on {', '.join(view.runtimes)}; ratios and verdicts against {view.reference}, the "
        "language's default runtime where it ran (a verdict only outside the noise)."
    ]
    if runner is not None:
        for name in view.runtimes:
            recipe = next((r for r in runner.runtimes if r.name == name), None)
            if recipe is not None and recipe.description:
                lines.append(f"{name}: {recipe.description}.")
    return " ".join(lines)
