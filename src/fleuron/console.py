"""What the `fleuron build` command shows while it works, and its summary at the end."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import TYPE_CHECKING, Any

from .messages import _

if TYPE_CHECKING:
    from .state import Report


class BuildDisplay:
    """A live progress line on a terminal (rich), stage lines with `-v` elsewhere, nothing
    with `-q`; then one line per file: name, size, pages, built or unchanged."""

    def __init__(self, quiet: bool = False, verbose: bool = False) -> None:
        self.quiet, self.verbose = quiet, verbose
        self.progress: Any = None
        self.task: Any = None
        self._last_stage = ""

    def __enter__(self) -> BuildDisplay:
        # rich only for a terminal: importing it costs a scripted build a tenth of its own work
        if not self.quiet and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self.progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.progress.start()
            self.task = self.progress.add_task("")
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self.progress is not None:
            self.progress.stop()

    def step(self, stage: str, page: int | None) -> None:
        label = _(stage) + (f" · page {page}" if page else "")
        if self.progress is not None:
            self.progress.update(self.task, description=label)
        elif self.verbose and (stage != self._last_stage or page is None):
            print(f"fleuron: {_(stage)}", file=sys.stderr)
        self._last_stage = stage

    def summary(self, report: Report) -> None:
        if self.quiet:
            return
        width = max((len(str(o.path)) for o in report.outputs), default=0)
        for output in report.outputs:
            pages = _("{pages} pages", pages=output.pages) if output.pages else ""
            state = "" if output.rebuilt else _("unchanged")
            print(f"{output.path!s:<{width}}  {_size(output.size):>8}  {pages:>10}  {state}".rstrip())
        rebuilt = sum(o.rebuilt for o in report.outputs)
        if rebuilt:
            print(_("built {count} file(s) in {seconds:.1f} s", count=rebuilt, seconds=report.seconds))
        else:
            print(_("up to date, nothing rebuilt"))


def _size(size: int) -> str:
    return f"{size / 1024:.0f} kB" if size >= 1024 else f"{size} B"
