"""Progress of a benchmark on stderr: the CLI's rendering of the service's events (rich), and its
warnings and endings."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from concbench_poly.errors import ConcbenchError, UsageError
from concbench_poly.execution.base import RunRequest
from concbench_poly.results.model import RunResult

if TYPE_CHECKING:
    from concbench_poly.fleet import FleetOutcome

err = Console(stderr=True, highlight=False)


def fail(exc: ConcbenchError) -> NoReturn:
    """The one way a command ends on an error: one line on stderr; exit 2 for usage errors, else 1."""
    err.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
    raise typer.Exit(2 if isinstance(exc, UsageError) else 1)


def warn_insecure(console: Console, request: Any) -> None:
    """A fleet's plain-tcp hosts (--insecure), named before anything runs."""
    for host in getattr(request, "hosts", ()):
        if host.transport == "tcp" and host.tls is None:
            console.print(
                f"[yellow]warning:[/] host {escape(host.name)} ({escape(host.url)}) is plain tcp (--insecure): "
                "anyone on the path can read and drive its engine",
                soft_wrap=True,
            )


def print_fleet_ending(console: Console, outcome: FleetOutcome) -> tuple[RunResult, ...]:
    """The fleet's wall time and the hosts that did not finish; returns every host's failed runs."""
    console.print(f"fleet wall time: {outcome.wall_s:.1f} s on {len(outcome.hosts)} hosts", soft_wrap=True)
    for host in outcome.failed_hosts:
        reason = escape(str(host.error))
        console.print(f"[red]host {escape(host.host.name)} did not finish:[/] {reason}", soft_wrap=True)
    return tuple(f for host in outcome.hosts for f in host.failures)


class ConsoleEvents:
    """Renders service events with rich on stderr; silent with --quiet."""

    def __init__(self, console: Console, quiet: bool) -> None:
        self._console = console
        self._quiet = quiet
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._lock = threading.Lock()  # a fleet's hosts report from their own threads

    def __enter__(self) -> ConsoleEvents:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def bar(self) -> Progress | None:
        """The progress bar, started at the first run: a command refused before anything runs
        leaves nothing of it behind (stopping a bar writes a line when stderr is not a terminal)."""
        if self._quiet:
            return None
        with self._lock:
            if self._progress is None:
                self._progress = Progress(
                    TextColumn("{task.description}"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TimeElapsedColumn(),
                    console=self._console,
                    transient=True,
                )
                self._progress.start()
            return self._progress

    def notice(self, message: str) -> None:
        if not self._quiet:
            self._console.print(f"[dim]concbench-poly:[/] {escape(message)}", soft_wrap=True)

    def run_started(self, request: RunRequest, index: int, total: int) -> None:
        progress = self.bar()
        if progress is None:
            return
        kind = "warm-up" if request.warmup else f"run {request.repetition + 1}"
        label = f"{request.case.label} [{request.case.workload}] {kind}"
        if self._task is None:
            self._task = progress.add_task(label, total=total)
        progress.update(self._task, description=label, completed=index)

    def run_finished(self, result: RunResult) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task)
        if not result.ok and not self._quiet:
            what = escape(f"{result.case.label} [{result.case.workload}]: {result.error_message}")
            self._console.print(f"[red]failed:[/] {what}", soft_wrap=True)

    def for_host(self, name: str) -> HostEvents:
        """A fleet host's events: its own progress bar, its notices and failures named after it."""
        return HostEvents(self, name)


class HostEvents:
    """One fleet host's view of the console: rich's Progress takes updates from the hosts' threads."""

    def __init__(self, parent: ConsoleEvents, host: str) -> None:
        self._parent = parent
        self._host = host
        self._task: TaskID | None = None

    def notice(self, message: str) -> None:
        self._parent.notice(f"[{self._host}] {message}")

    def run_started(self, request: RunRequest, index: int, total: int) -> None:
        progress = self._parent.bar()
        if progress is None:
            return
        kind = "warm-up" if request.warmup else f"run {request.repetition + 1}"
        label = f"{self._host}: {request.case.label} [{request.case.workload}] {kind}"
        if self._task is None:
            self._task = progress.add_task(label, total=total)
        progress.update(self._task, description=label, completed=index)

    def run_finished(self, result: RunResult) -> None:
        progress = self._parent._progress
        if progress is not None and self._task is not None:
            progress.advance(self._task)
        if not result.ok and not self._parent._quiet:
            what = escape(f"{self._host}: {result.case.label} [{result.case.workload}]: {result.error_message}")
            self._parent._console.print(f"[red]failed:[/] {what}", soft_wrap=True)
