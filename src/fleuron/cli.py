"""The `fleuron` command: argument parsing and printing. Besides the pipeline's calls, it decides only
what must come first in a build: the unchanged-build check, and starting the book's layout process early."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .completion import SHELLS
from .errors import FleuronError
from .messages import _
from .storage import STATE_FILE, remove_own_folders

if TYPE_CHECKING:
    from .parallel import Layouts

log = logging.getLogger("fleuron")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    args.parser = parser
    handler = logging.StreamHandler()
    handler.setFormatter(_Localized("fleuron: %(levelname)s: %(message)s"))
    logging.basicConfig(handlers=[handler], level=logging.WARNING)
    if getattr(args, "quiet", False):
        log.setLevel(logging.ERROR)
    elif getattr(args, "verbose", False):
        log.setLevel(logging.INFO)
    signal.signal(signal.SIGTERM, _interrupt)  # a terminated build ends like an interrupted one
    try:
        return int(args.run(args))
    except FleuronError as error:
        print(f"fleuron: {_('error')}: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `fleuron check | head`: the reader has seen enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 0
    except OSError as error:  # a file or folder we could not read or write: the system says why
        where = f"{error.filename}: " if error.filename else ""
        print(f"fleuron: {_('error')}: {where}{error.strerror or error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"fleuron: {_('interrupted; the previous outputs are untouched')}", file=sys.stderr)
        return 130
    except Exception as error:  # a bug of ours: say so plainly rather than dump a traceback
        print(
            f"fleuron: {_('internal error: {kind}: {detail}', kind=type(error).__name__, detail=error)}",
            file=sys.stderr,
        )
        print(_("Please report it with the manuscript that caused it."), file=sys.stderr)
        return 70
    finally:
        remove_own_folders()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


#: The log levels' names, as `messages.FRENCH` translates them.
_LEVELS = {logging.ERROR: "error", logging.WARNING: "warning", logging.INFO: "info", logging.DEBUG: "debug"}


class _Localized(logging.Formatter):
    """`fleuron: warning: ...`, like `fleuron: error: ...`, in the user's language."""

    def format(self, record: logging.LogRecord) -> str:
        record.levelname = _(_LEVELS.get(record.levelno, record.levelname.lower()))
        return super().format(record)


def _build(args: argparse.Namespace) -> int:
    from .budget import time_budget

    with time_budget(args.max_seconds):
        return _build_within_budget(args)


def _build_within_budget(args: argparse.Namespace) -> int:
    from .console import BuildDisplay
    from .writers.formats import BOOK_LAYOUT, needs

    formats = [f.strip() for f in args.format.split(",") if f.strip()] if args.format else None
    display = BuildDisplay(args.quiet, args.verbose)
    book = formats is None or bool(BOOK_LAYOUT & needs(formats))
    # A first build starts the book's layout process at once: it imports WeasyPrint (a third
    # of a second) while this one reads the manuscript. A folder built before is first checked.
    layouts = None if _built_before(args) else _layouts(book, args.max_memory)
    try:
        from .state import Request, print_flags, unchanged_build

        # Nothing changed since the last build: say so without importing the pipeline.
        key = print_flags(args.trim, args.marks, args.pdf_variant, args.creep, args.pod)
        report = unchanged_build(Request(args.source, args.output, formats, key, args.zip, args.allow_outside))
        if report is not None:
            for warning in report.warnings:  # what the build that made these files said
                log.warning("%s", warning)
        else:
            layouts = layouts or _layouts(book, args.max_memory)
            from .pipeline import build
            from .writers.pdf import PrintOptions

            options = PrintOptions(args.trim, args.marks, args.pdf_variant, args.creep or 0.0, args.pod)
            with display:
                report = build(args.source, args.output, formats, options, zip_archive=args.zip,
                               progress=display.step, layouts=layouts,
                               allow_outside=args.allow_outside)  # fmt: skip
    finally:
        if layouts is not None:
            layouts.stop()
    display.summary(report)
    return 0


def _built_before(args: argparse.Namespace) -> bool:
    """Whether the output folder has a build's state (looked for without importing `state`
    when `-o` names the folder: a first build then starts its layout a little sooner)."""
    if args.output is not None:
        return bool((args.output / STATE_FILE).exists())
    from .state import output_folder

    try:
        return (output_folder(args.source, None, args.allow_outside) / STATE_FILE).exists()
    except FleuronError:
        return False  # a bad fleuron.toml: the build says so


def _layouts(book: bool, max_memory: int | None = None) -> Layouts:
    """The build's layout processes, the book's started now if it will be laid out."""
    from .parallel import Layouts

    layouts = Layouts(max_memory=max_memory)
    if book:
        layouts.start("book")
    return layouts


def _init(args: argparse.Namespace) -> int:
    from .project import init_project

    for path in init_project(args.folder):
        print(path)
    return 0


def _watch(args: argparse.Namespace) -> int:
    from .pipeline import build
    from .watch import watch

    def say(message: str) -> None:
        print(message, flush=True)

    def rebuild() -> None:
        import weasyprint  # noqa: F401  (once, here: then every rebuild lays out in this process)

        report = build(args.source, args.output, allow_outside=args.allow_outside)
        built = [o.path.name for o in report.outputs if o.rebuilt]
        say(", ".join(built) if built else _("up to date, nothing rebuilt"))

    watch(args.source, args.port, rebuild, say, out_dir=args.output, allow_outside=args.allow_outside)
    return 0


def _completion(args: argparse.Namespace) -> int:
    from .completion import script

    sys.stdout.write(script(args.shell, args.parser))
    return 0


def _ast(args: argparse.Namespace) -> int:
    from .model import to_json
    from .pipeline import load, load_book, plan

    request = plan(args.source, allow_outside=args.allow_outside)
    doc = (
        load_book(request.sources, request.config.defaults)
        if args.typography
        else load(request.sources[0], request.config.defaults)
    )
    json.dump(to_json(doc), sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


def _typo(args: argparse.Namespace) -> int:
    from .readers.source import decode
    from .typography import typographize_lines

    text = decode(sys.stdin.buffer.read(), "<stdin>")
    sys.stdout.buffer.write(typographize_lines(text, args.lang).encode("utf-8"))
    return 0


def _check(args: argparse.Namespace) -> int:
    from .pipeline import load, plan
    from .readers import reader_for
    from .readers.source import read_source
    from .typography.report import corrections, summary

    request = plan(args.source, allow_outside=args.allow_outside)
    found = []
    for path in request.sources:
        reader = reader_for(path)
        text = None if reader is not None and reader.binary else read_source(path)  # a package has no lines
        found += corrections(load(path, request.config.defaults), text)
    for correction in found:
        print(correction)
    print(summary(found))
    return 1 if args.strict and found else 0


def _preflight(args: argparse.Namespace) -> int:
    from .preflight import preflight

    findings = preflight(args.source, args.pod, args.pdf_variant, allow_outside=args.allow_outside)
    for finding in findings:
        print(finding)
    print(_("{count} problem(s) a print shop would reject", count=len(findings)) if findings else _("ready to print"))
    return 1 if findings else 0


def _import(args: argparse.Namespace) -> int:
    from .importing import import_package, import_plaintext
    from .readers import reader_for

    reader = reader_for(args.source)
    if reader is not None and reader.binary and not args.source.is_dir():
        package = import_package(args.source, args.output, args.lang, args.force)
        print(package.path)
        return 0
    imported = import_plaintext(args.source, args.output, args.lang, args.force)
    reading = imported.reading
    if args.explain:
        print(f"layout: {reading.layout_reason}")
        print(f"lang: {reading.doc.meta.lang} — {reading.lang_reason}")
        for explanation in reading.explanations:
            print(explanation)
    if not reading.title:
        log.warning(
            _("{path}: no title line found: fill in 'title' in its front matter (marked TODO)", path=imported.path)
        )
    print(imported.path)
    return 0


def _positive(kind: type[float] | type[int]) -> Callable[[str], float]:
    def number(text: str) -> float:
        value = kind(text)
        if value <= 0:
            raise ValueError(text)
        return value

    number.__name__ = kind.__name__  # argparse names the type in its error: "invalid float value"
    return number


def _formats_help() -> str:
    from .writers.formats import DEFAULT_FORMATS, FORMATS

    listed = "; ".join(f"{fmt.name}: {fmt.description}" for fmt in FORMATS.values())
    return f"comma-separated outputs among {listed} (default: fleuron.toml's, else {','.join(DEFAULT_FORMATS)})"


def _allow_outside(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--allow-outside",
        action="store_true",
        help="let fleuron.toml's sources and output be outside the project's folder (its own folder); "
        "without it, such a path is an error (SECURITY.md). -o may always name any folder",
    )


def _parser() -> argparse.ArgumentParser:
    from .writers import pod  # the services' table: light, no writer behind it

    parser = argparse.ArgumentParser(
        prog="fleuron",
        description=(
            "Turn a manuscript (Markdown, Word, OpenDocument) into an EPUB 3 ebook and a PDF book, "
            "with French typography."
        ),
    )
    parser.add_argument("--version", action="version", version=f"fleuron {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    source_help = (
        "a manuscript (Markdown or plain text), or a folder holding exactly one "
        "(default: the sources of ./fleuron.toml, else manuscript/)"
    )
    build = commands.add_parser(
        "build",
        help="build the ebook, the book PDF and the handout",
        description="Build the outputs of a manuscript; those whose inputs did not change are kept as they are.",
    )
    build.add_argument("source", nargs="?", type=Path, help=source_help)
    build.add_argument(
        "-o", "--output", type=Path, metavar="DIR", help="output folder (default: fleuron.toml's, else dist/)"
    )
    build.add_argument("--format", metavar="LIST", help=_formats_help())
    build.add_argument("--trim", metavar="SIZE",
                       help="the book's trim: a5, 6x9in or 110x178mm "
                            "(default: the front matter's 'trim', else a5)")  # fmt: skip
    build.add_argument("--marks", action="store_true", help="add crop and registration marks around the book's bleed")
    build.add_argument("--pdf-variant", metavar="NAME",
                       help="a WeasyPrint PDF variant for the PDFs, e.g. pdf/a-3b "
                            "(default: pdf/ua-1, tagged)")  # fmt: skip
    build.add_argument("--creep", type=_positive(float), metavar="MM",
                       help="the booklet's creep compensation: how far the innermost sheet's pages move "
                            "towards the fold (the others in proportion)")  # fmt: skip
    build.add_argument("--pod", metavar="SERVICE", choices=tuple(pod.SERVICES),
                       help="apply a print-on-demand service's rules to the book: kdp, ingramspark or lulu "
                            "(default: the front matter's 'pod')")  # fmt: skip
    build.add_argument("--zip", action="store_true", help="also pack the outputs and the manifest as <slug>.zip")
    _allow_outside(build)
    loudness = build.add_mutually_exclusive_group()
    build.add_argument("--max-seconds", type=_positive(float), metavar="N",
                       help="stop the build, changing nothing, if it takes longer than N seconds")  # fmt: skip
    build.add_argument("--max-memory", type=_positive(int), metavar="MB",
                       help="stop the build, changing nothing, if a layout needs more than MB megabytes "
                            "of address space")  # fmt: skip
    loudness.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    loudness.add_argument("-v", "--verbose", action="store_true", help="say each step")
    build.set_defaults(run=_build)

    init = commands.add_parser(
        "init",
        help="start a new book project",
        description="Create a book project (manuscript, fleuron.toml, styles, README) that builds at once.",
    )
    init.add_argument("folder", type=Path, help="a new (or empty) folder")
    init.set_defaults(run=_init)

    watch = commands.add_parser(
        "watch",
        help="rebuild on every change, with a live preview",
        description="Build, then rebuild whenever a file of the project changes; serve a preview on "
        "http://127.0.0.1:PORT/ that reloads itself. Ctrl-C stops.",
    )
    watch.add_argument("source", nargs="?", type=Path, help=source_help)
    watch.add_argument("-o", "--output", type=Path, metavar="DIR", help="output folder (default: as for build)")
    watch.add_argument("--port", type=int, default=8000, help="the preview's port on 127.0.0.1 (0: any free one)")
    _allow_outside(watch)
    watch.set_defaults(run=_watch)

    completion = commands.add_parser(
        "completion",
        help="print a shell completion script",
        description="Print the completion script for a shell, e.g. `fleuron completion bash >> ~/.bashrc`.",
    )
    completion.add_argument("shell", choices=SHELLS)
    completion.set_defaults(run=_completion)

    ast = commands.add_parser("ast", help="print the document model as JSON",
                              description="Print the document model of a manuscript as versioned JSON.")  # fmt: skip
    ast.add_argument("source", nargs="?", type=Path, help=source_help)
    ast.add_argument("--typography", action="store_true", help="the model as built: all sources, typography applied")
    _allow_outside(ast)
    ast.set_defaults(run=_ast)

    typo = commands.add_parser(
        "typo",
        help="correct French typography of text on stdin",
        description="Read UTF-8 text on stdin, one paragraph per line, and write it corrected on stdout.",
    )
    typo.add_argument("--lang", default="fr", help="the text's language: fr, fr-CA, fr-CH; others pass through")
    typo.set_defaults(run=_typo)

    check = commands.add_parser(
        "check",
        help="list the typographic corrections a build would make",
        description="A proofreader's report: one line per correction, file:line:col: RULE: before → after, "
        "then a count per rule. Changes no file.",
    )
    check.add_argument("source", nargs="?", type=Path, help=source_help)
    check.add_argument("--strict", action="store_true", help="exit with status 1 when anything would change")
    _allow_outside(check)
    check.set_defaults(run=_check)

    preflight = commands.add_parser(
        "preflight",
        help="list what a print shop would reject in the book PDF",
        description="Check a book PDF, or build the book of a manuscript and check it: images under 300 ppi, "
        "fonts not embedded, text in the bleed or the safety margin, missing boxes, RGB in a PDF/X-1a, "
        "a trim or page count the print-on-demand service refuses. Exits with status 1 when it finds any.",
    )
    preflight.add_argument("source", nargs="?", type=Path, help="a book PDF, or " + source_help)
    preflight.add_argument("--pod", metavar="SERVICE", choices=tuple(pod.SERVICES),
                           help="check against a print-on-demand service's rules "
                                "(default: the front matter's)")  # fmt: skip
    preflight.add_argument("--pdf-variant", metavar="NAME", help="the PDF variant to check for (default: the file's)")
    _allow_outside(preflight)
    preflight.set_defaults(run=_preflight)

    imp = commands.add_parser(
        "import",
        help="turn a plain-text, Word or OpenDocument manuscript into Markdown, ready to edit",
        description="Find the title, headings, lists and paragraphs of a plain-text manuscript and write "
        "them as Markdown with a YAML front matter (what could not be guessed is marked TODO). A .docx or "
        ".odt file gives its metadata, headings, lists, notes, tables and images (written beside the "
        "Markdown, in NAME-images/); what cannot come across is said, one line each kind.",
    )
    imp.add_argument("source", type=Path, metavar="FILE", help="a plain-text file (UTF-8), a .docx or an .odt")

    imp.add_argument("-o", "--output", type=Path, metavar="FILE.md",
                     help="the Markdown file to write (default: FILE with the .md suffix, beside it)")  # fmt: skip
    imp.add_argument("--lang", help="the text's language tag, e.g. fr or en (default: guessed from its words)")
    imp.add_argument("--explain", action="store_true", help="print why each line became what it became")
    imp.add_argument("--force", action="store_true", help="replace the output file if it exists")
    imp.set_defaults(run=_import)
    _catalog_parser(commands)
    return parser


def _catalog_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`fleuron catalog build|serve` (catalog_command.py, imported when one runs)."""
    catalog = commands.add_parser(
        "catalog",
        help="build many titles and their OPDS feeds, here or on a Dask cluster",
        description="A catalogue: one folder per title (each a Fleuron project), built into one folder with "
        "OPDS 2.0 and 1.2 feeds, a web page and a manifest.",
    )
    actions = catalog.add_subparsers(title="actions", metavar="ACTION", required=True)
    build = actions.add_parser(
        "build",
        help="build the titles that changed, then the feeds",
        description="Build every title whose inputs changed, in parallel (or on a Dask cluster), then write "
        "opds.json, catalog.xml, index.html and manifest.json. A broken title is reported and the others built.",
    )
    build.add_argument("folder", nargs="?", type=Path, default=Path(), metavar="DIR",
                       help="the catalogue's folder: one folder per title, and an optional catalog.toml "
                            "(default: here)")  # fmt: skip
    build.add_argument("-o", "--output", type=Path, metavar="OUT", help="output folder (default: DIR/dist)")
    build.add_argument("--jobs", type=_positive(int), metavar="N",
                       help="titles built at once on this machine (default: one per core)")  # fmt: skip
    build.add_argument("--scheduler", metavar="ADDRESS",
                       help="build on a Dask distributed cluster instead, e.g. tcp://127.0.0.1:8786")  # fmt: skip
    loudness = build.add_mutually_exclusive_group()
    loudness.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    loudness.add_argument("-v", "--verbose", action="store_true", help="say each title as it is done")
    build.set_defaults(run=_catalog_build)
    serve = actions.add_parser(
        "serve",
        help="serve a built catalogue on 127.0.0.1, to try its feeds in a reading app",
        description="Serve a built catalogue's folder on http://127.0.0.1:PORT/. Ctrl-C stops.",
    )
    serve.add_argument("folder", nargs="?", type=Path, default=Path("dist"), metavar="OUT",
                       help="the catalogue's output folder (default: dist)")  # fmt: skip
    serve.add_argument("--port", type=int, default=8000, help="the port on 127.0.0.1 (0: any free one)")
    serve.set_defaults(run=_catalog_serve)


def _catalog_build(args: argparse.Namespace) -> int:
    from .catalog_command import run_build

    return run_build(args)


def _catalog_serve(args: argparse.Namespace) -> int:
    from .catalog_command import run_serve

    return run_serve(args)


if __name__ == "__main__":
    sys.exit(main())
