"""Readers: a manuscript -> the document model. The table below says which reader takes which
file and how it reads it (text, or the file itself for a package such as a .docx); a new input
format is one module and one line in it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import FleuronError
from ..messages import _
from ..model import Document


@dataclass(frozen=True)
class Reader:
    name: str
    #: The file name endings it takes, lower case.
    suffixes: tuple[str, ...]
    #: A package (zip) read from the file itself, not text: `read_file` gives it the path.
    binary: bool = False


#: In order of preference: a folder's Markdown manuscript wins over its text file, which wins
#: over a Word or OpenDocument file. A file whose ending no reader claims is read as the first
#: (Markdown).
READERS = (
    Reader("markdown", (".md", ".markdown")),
    Reader("plaintext", (".txt", ".text")),
    Reader("docx", (".docx",), binary=True),
    Reader("odt", (".odt",), binary=True),
)
FORMATS = tuple(reader.name for reader in READERS)


def read(
    text: str, format: str = "markdown", path: str = "<string>", defaults: Mapping[str, Any] | None = None
) -> Document:
    """`defaults`: front matter values for the keys the manuscript does not give (`fleuron.toml`)."""
    # Each reader imported when asked for: a build reads one kind of file.
    if format == "markdown":
        from .markdown import read_markdown

        return read_markdown(text, path, defaults)
    if format == "plaintext":
        from .plaintext import read_plaintext

        return read_plaintext(text, path, defaults=defaults)
    raise ValueError(f"unknown input format {format!r}; Fleuron reads: {', '.join(FORMATS)}")


def read_file(path: Path, format: str, defaults: Mapping[str, Any] | None = None) -> Document:
    """A manuscript file with the reader `format` names: a text format is decoded first
    (`source.read_source`), a package is given the file."""
    if format == "docx":
        from .docx import read_docx

        return read_docx(path, defaults)
    if format == "odt":
        from .odt import read_odt

        return read_odt(path, defaults)
    from .source import read_source

    return read(read_source(path), format, str(path), defaults)


def reader_for(path: Path) -> Reader | None:
    """The reader that claims `path` by its ending."""
    suffix = path.suffix.lower()
    return next((reader for reader in READERS if suffix in reader.suffixes), None)


def load(path: Path | str, defaults: Mapping[str, Any] | None = None) -> Document:
    """Read a manuscript file into the model, with the reader its ending names.
    `defaults` are the project's front matter defaults (`fleuron.toml`). A manuscript that is
    a link is read only if it leads inside the project, like an image (`files.manuscript_files`)."""
    from ..writers.files import manuscript_files

    manuscript_files(Path(path)).check(Path(path), _("the manuscript"), str(path))
    reader = reader_for(Path(path)) or READERS[0]
    doc = read_file(Path(path), reader.name, defaults)
    if not doc.blocks:
        raise FleuronError(_("the manuscript is empty; write its text, then build again"), str(path))
    return doc


def find_manuscript(source: Path | None = None) -> Path:
    """`source` itself, or the single manuscript in the folder it names (default `manuscript/`)."""
    folder = Path("manuscript") if source is None else source
    if source is not None and not source.is_dir():
        if not source.exists():
            raise FleuronError(
                _("no such file; give the path of a manuscript (Markdown, text, .docx or .odt)"), str(source)
            )
        return source
    if not folder.is_dir():
        raise FleuronError(_("no manuscript given and no 'manuscript/' folder here; give a file to build"), str(folder))
    if source is None and not folder.resolve().is_relative_to(Path.cwd().resolve()):
        # A project unpacked from an archive may hold a `manuscript` link to anywhere.
        message = _(
            "the 'manuscript/' folder leads out of this folder (to {target}): copy the manuscripts into the "
            "project, or name the file to build",
            target=folder.resolve(),
        )
        raise FleuronError(message, str(folder))
    # `~$livre.docx` is the lock file Word keeps beside a document it has open.
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("~$"))
    for reader in READERS:
        found = [p for p in files if reader_for(p) == reader]
        if len(found) > 1:
            names = ", ".join(p.name for p in found)
            message = _(
                "{count} manuscripts ({names}) in this folder; name the one to build", count=len(found), names=names
            )
            raise FleuronError(message, str(folder))
        if found:
            return found[0]
    raise FleuronError(
        _("no manuscript (Markdown, text, .docx or .odt) in this folder; name the one to build"), str(folder)
    )
