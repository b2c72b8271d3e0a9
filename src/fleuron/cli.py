"""The `fleuron` command: argument parsing and messages, no logic."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .errors import FleuronError

log = logging.getLogger("fleuron")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handler = logging.StreamHandler()
    handler.setFormatter(_LowercaseLevels("fleuron: %(levelname)s: %(message)s"))
    logging.basicConfig(handlers=[handler], level=logging.WARNING)
    if getattr(args, "quiet", False):
        log.setLevel(logging.ERROR)
    try:
        return int(args.run(args))
    except FleuronError as error:
        print(f"fleuron: error: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `fleuron check | head`: the reader has seen enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 0
    except KeyboardInterrupt:
        print("fleuron: interrupted; the previous outputs are untouched", file=sys.stderr)
        return 130
    except Exception as error:  # a bug of ours: say so plainly rather than dump a traceback
        print(f"fleuron: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        print("Please report it with the manuscript that caused it.", file=sys.stderr)
        return 70


class _LowercaseLevels(logging.Formatter):
    """`fleuron: warning: ...`, like `fleuron: error: ...`."""

    def format(self, record: logging.LogRecord) -> str:
        record.levelname = record.levelname.lower()
        return super().format(record)


def _build(args: argparse.Namespace) -> int:
    from .build import build
    from .writers.pdf import PrintOptions

    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    options = PrintOptions(trim=args.trim, marks=args.marks, variant=args.pdf_variant)
    for path in build(args.source, args.output, formats, options):
        if not args.quiet:
            print(path)
    return 0


def _ast(args: argparse.Namespace) -> int:
    from .build import find_manuscript, load
    from .model import to_json

    doc = load(find_manuscript(args.source))
    json.dump(to_json(doc), sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


def _typo(args: argparse.Namespace) -> int:
    from .typography import typographize_lines

    data = sys.stdin.buffer.read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FleuronError(f"not UTF-8 text (byte {error.start}); give UTF-8 text", "<stdin>") from None
    sys.stdout.buffer.write(typographize_lines(text, args.lang).encode("utf-8"))
    return 0


def _check(args: argparse.Namespace) -> int:
    from .build import find_manuscript, load
    from .typography.report import corrections, summary

    path = find_manuscript(args.source)
    found = corrections(load(path), path.read_text(encoding="utf-8-sig"))
    for correction in found:
        print(correction)
    print(summary(found))
    return 1 if args.strict and found else 0


def _import(args: argparse.Namespace) -> int:
    from .importing import import_plaintext

    imported = import_plaintext(args.source, args.output, args.lang, args.force)
    reading = imported.reading
    if args.explain:
        print(f"layout: {reading.layout_reason}")
        print(f"lang: {reading.doc.meta.lang} — {reading.lang_reason}")
        for explanation in reading.explanations:
            print(explanation)
    if not reading.title:
        log.warning("%s: no title line found: fill in 'title' in its front matter (marked TODO)", imported.path)
    print(imported.path)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fleuron",
        description="Turn a Markdown manuscript into an EPUB 3 ebook and a PDF book, with French typography.",
    )
    parser.add_argument("--version", action="version", version=f"fleuron {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    source_help = "a Markdown manuscript, or a folder holding exactly one (default: manuscript/)"
    build = commands.add_parser(
        "build", help="build the ebook and the book PDF", description="Build the outputs of a manuscript."
    )
    build.add_argument("source", nargs="?", type=Path, help=source_help)
    build.add_argument(
        "-o", "--output", type=Path, default=Path("dist"), metavar="DIR", help="output folder (default: dist/)"
    )
    build.add_argument("--format", default="epub,pdf,handout", metavar="LIST",
                       help="comma-separated outputs among epub, pdf, handout, html "
                            "(default: epub,pdf,handout)")  # fmt: skip
    build.add_argument("--trim", metavar="SIZE",
                       help="the book's trim: a5, 6x9in or 110x178mm "
                            "(default: the front matter's 'trim', else a5)")  # fmt: skip
    build.add_argument("--marks", action="store_true", help="add crop and registration marks around the book's bleed")
    build.add_argument("--pdf-variant", metavar="NAME",
                       help="a WeasyPrint PDF variant for the PDFs, e.g. pdf/a-3b "
                            "(default: pdf/ua-1, tagged)")  # fmt: skip
    build.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    build.set_defaults(run=_build)

    ast = commands.add_parser("ast", help="print the document model as JSON",
                              description="Print the document model of a manuscript as versioned JSON.")  # fmt: skip
    ast.add_argument("source", nargs="?", type=Path, help=source_help)
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
    check.set_defaults(run=_check)

    imp = commands.add_parser(
        "import",
        help="turn a plain-text manuscript into Markdown, ready to edit",
        description="Find the title, headings, lists and paragraphs of a plain-text manuscript and write "
        "them as Markdown with a YAML front matter (what could not be guessed is marked TODO).",
    )
    imp.add_argument("source", type=Path, metavar="FILE", help="a plain-text file (UTF-8)")
    imp.add_argument("-o", "--output", type=Path, metavar="FILE.md",
                     help="the Markdown file to write (default: FILE with the .md suffix, beside it)")  # fmt: skip
    imp.add_argument("--lang", help="the text's language tag, e.g. fr or en (default: guessed from its words)")
    imp.add_argument("--explain", action="store_true", help="print why each line became what it became")
    imp.add_argument("--force", action="store_true", help="replace the output file if it exists")
    imp.set_defaults(run=_import)
    return parser


if __name__ == "__main__":
    sys.exit(main())
