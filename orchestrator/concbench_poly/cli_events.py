"""Progress of a benchmark on stderr: the CLI's rendering of the service's events (rich)."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from concbench_poly.execution.base import RunRequest
from concbench_poly.results.model import RunResult


class ConsoleEvents:
    """Renders service events with rich on stderr; silent with --quiet."""

    def __init__(self, console: Console, quiet: bool) -> None:
        self._console = console
        self._quiet = quiet
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> ConsoleEvents:
        if not self._quiet:
            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self._console,
                transient=True,
            )
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def notice(self, message: str) -> None:
        if not self._quiet:
            self._console.print(f"[dim]concbench-poly:[/] {escape(message)}", soft_wrap=True)

    def run_started(self, request: RunRequest, index: int, total: int) -> None:
        if self._progress is None:
            return
        kind = "warm-up" if request.warmup else f"run {request.repetition + 1}"
        label = f"{request.case.label} [{request.case.workload}] {kind}"
        if self._task is None:
            self._task = self._progress.add_task(label, total=total)
        self._progress.update(self._task, description=label, completed=index)

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
        progress = self._parent._progress
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
