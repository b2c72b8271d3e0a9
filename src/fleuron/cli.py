"""The `fleuron` command: argument parsing and messages, no logic."""

from __future__ import annotations

import argparse
import json
import logging
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

    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    for path in build(args.source, args.output, formats):
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
    build.add_argument("--format", default="epub,pdf", metavar="LIST",
                       help="comma-separated outputs among epub, pdf, html (default: epub,pdf)")  # fmt: skip
    build.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    build.set_defaults(run=_build)

    ast = commands.add_parser("ast", help="print the document model as JSON",
                              description="Print the document model of a manuscript as versioned JSON.")  # fmt: skip
    ast.add_argument("source", nargs="?", type=Path, help=source_help)
    ast.set_defaults(run=_ast)
    return parser


if __name__ == "__main__":
    sys.exit(main())
