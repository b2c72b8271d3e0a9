"""`fleuron catalog build` and `fleuron catalog serve`: what they print (a progress bar that
counts titles, a summary table, each failed title's folder, file and line) and the small
server that lets a reading app try the feeds."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .messages import _


def run_build(args: argparse.Namespace) -> int:
    from .catalog import Outcome, build_catalog

    progress: Any = None
    if not args.quiet and sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        progress = Progress(TextColumn(_("titles")), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                            console=Console(stderr=True), transient=True)  # fmt: skip
        progress.start()
        task = progress.add_task("", total=None)

    def step(outcome: Outcome, done: int, total: int) -> None:
        if progress is not None:
            progress.update(task, completed=done, total=total)
        elif args.verbose:
            print(f"fleuron: [{done}/{total}] {outcome.name}: {_(outcome.status)}", file=sys.stderr)

    source = args.folder
    out = args.output if args.output is not None else source / "dist"
    try:
        report = build_catalog(source, out, jobs=args.jobs, scheduler=args.scheduler, progress=step)
    finally:
        if progress is not None:
            progress.stop()
    for warning in report.warnings:
        print(f"fleuron: {_('warning')}: {warning}", file=sys.stderr)
    for failed in report.failed:
        print(f"fleuron: {_('error')}: {failed.message}", file=sys.stderr)
    if not args.quiet:
        summary(report, out)
    return 1 if report.failed else 0


def summary(report: Any, out: Path) -> None:
    """One row per title built or failed (those unchanged are counted), then the totals."""
    rows = sorted((o for o in report.outcomes if o.status != "unchanged"), key=lambda o: o.name)
    width = max((len(o.name) for o in rows), default=0)
    for outcome in rows:
        files = _("{count} file(s)", count=outcome.files) if outcome.status == "built" else ""
        seconds = _("{seconds:.1f} s", seconds=outcome.seconds)
        print(f"{outcome.name:<{width}}  {_(outcome.status):<10}  {files:>10}  {seconds:>8}")
    counts = {status: sum(o.status == status for o in report.outcomes) for status in ("built", "unchanged", "failed")}
    print(_("{built} built, {unchanged} unchanged, {failed} failed in {seconds:.1f} s; the catalogue is in {out}",
            seconds=report.seconds, out=out, **counts))  # fmt: skip


def run_serve(args: argparse.Namespace) -> int:
    from .catalog_server import serve

    folder = args.folder
    if not (folder / "opds.json").is_file():
        from .errors import FleuronError

        raise FleuronError(_("no catalogue here: build one with `fleuron catalog build`"), str(folder))
    server = serve(folder, args.port)
    address = f"http://127.0.0.1:{server.server_address[1]}/"
    print(_("serving {folder} on {address} (OPDS 2.0: {address}opds.json, OPDS 1.2: {address}catalog.xml); "
            "Ctrl-C stops", folder=folder, address=address), flush=True)  # fmt: skip
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0
