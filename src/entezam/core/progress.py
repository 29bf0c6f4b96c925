"""Progress bars for long commands, on rich, on standard error.

One `ConsoleProgress` serves both ways our long operations report progress: the job
protocol (`set_total(n)`, `advance(k)`, as `core.jobs.Progress`) and the phase callback
of the roster import (`progress(phase, done, total)`). With `enabled=False` (`--json`,
`--no-progress`, or no terminal) it draws nothing.
"""

from __future__ import annotations

import sys
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)


class ConsoleProgress:
    def __init__(self, stream: TextIO | None = None, *, enabled: bool = True, label: str = ""):
        self.enabled = enabled
        self.label = label
        self._progress: Progress | None = None
        self._tasks: dict[str, TaskID] = {}
        self._phase = ""
        self.total: int | None = None
        self.done = 0
        if enabled:
            console = Console(file=stream or sys.stderr, stderr=stream is None, highlight=False)
            self._progress = Progress(
                TextColumn("{task.description:<8}"),
                BarColumn(),
                TaskProgressColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[speed]}"),
                TimeElapsedColumn(),
                console=console,
                transient=False,
                refresh_per_second=10,
            )
            self._progress.start()

    # --- the job protocol

    def set_total(self, total: int | None) -> None:
        self.total = total
        self._update(self.label or "rows", self.done, total)

    def advance(self, count: int = 1) -> None:
        self.done += count
        self._update(self.label or "rows", self.done, self.total)

    # --- the phase callback

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        self._update(phase, done, total)

    def _update(self, phase: str, done: int, total: int | None) -> None:
        if self._progress is None:
            return
        if phase not in self._tasks:
            self._tasks[phase] = self._progress.add_task(phase, total=total, speed="")
        task = self._tasks[phase]
        self._progress.update(task, completed=done, total=total)
        elapsed = self._progress.tasks[self._tasks[phase]].elapsed or 0
        if elapsed >= 0.05 and done:
            self._progress.update(task, speed=f"{done / elapsed:,.0f} rows/s")
        if total is not None and done >= total:
            self._progress.stop_task(task)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def __enter__(self) -> ConsoleProgress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
