"""The pipeline, the only module that joins readers, typography and writers: from a project's manuscripts to
the files of its output folder, rebuilding only what changed."""

from __future__ import annotations

import codecs
import dataclasses
import hashlib
import json
import logging
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import FORMATS, Config, find_config, load_config
from .errors import FleuronError
from .messages import _
from .model import Document
from .readers import read
from .typography import typographize
from .writers.pdf import PrintOptions

#: How each output's file is named after the book's slug.
FILE_SUFFIXES = {"epub": ".epub", "pdf": ".pdf", "handout": "-handout.pdf", "html": ".html"}
MANUSCRIPT_SUFFIXES = (".md", ".markdown")
#: Plain text, read by `readers/plaintext.py` (a folder's Markdown manuscript wins over it).
PLAIN_TEXT_SUFFIXES = (".txt", ".text")
_UNICODE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def find_manuscript(source: Path | None = None) -> Path:
    """`source` itself, or the single manuscript in the folder it names (default `manuscript/`)."""
    folder = Path("manuscript") if source is None else source
    if source is not None and not source.is_dir():
        if not source.exists():
            raise FleuronError(_("no such file; give the path of a Markdown manuscript"), str(source))
        return source
    if not folder.is_dir():
        raise FleuronError(_("no manuscript given and no 'manuscript/' folder here; give a file to build"), str(folder))
    found = sorted(p for p in folder.iterdir() if p.suffix in MANUSCRIPT_SUFFIXES and p.is_file())
    if not found:
        found = sorted(p for p in folder.iterdir() if p.suffix.lower() in PLAIN_TEXT_SUFFIXES and p.is_file())
    if not found:
        raise FleuronError(_("no Markdown manuscript in this folder; name the one to build"), str(folder))
    if len(found) > 1:
        names = ", ".join(p.name for p in found)
        message = _(
            "{count} manuscripts ({names}) in this folder; name the one to build", count=len(found), names=names
        )
        raise FleuronError(message, str(folder))
    return found[0]


def load(path: Path | str, defaults: Mapping[str, Any] | None = None) -> Document:
    """Read a manuscript file into the model: Markdown, or plain text for a `.txt` file.
    `defaults` are the project's front matter defaults (`fleuron.toml`)."""
    text = read_source(path)
    kind = "plaintext" if Path(path).suffix.lower() in PLAIN_TEXT_SUFFIXES else "markdown"
    doc = read(text, kind, str(path), defaults)
    if not doc.blocks:
        raise FleuronError(_("the manuscript is empty; write its text, then build again"), str(path))
    return doc


#: A manuscript file larger than this is refused: the book's layout takes about a minute and
#: 0.75 GB of memory per MB of text on two cores (SECURITY.md).
MAX_MANUSCRIPT_BYTES = 5_000_000


def read_source(path: Path | str) -> str:
    """A manuscript file's text, with an error naming the file for unreadable input: binary,
    UTF-16, or not UTF-8 (with the offset in the file of the first bad byte). A BOM is dropped."""
    path = Path(path)
    try:
        with path.open("rb") as file:  # at most one byte past the limit, even from a pipe or a device
            data = file.read(MAX_MANUSCRIPT_BYTES + 1)
    except OSError as error:
        raise FleuronError(_("cannot read the file: {reason}", reason=error.strerror), str(path)) from None
    if len(data) > MAX_MANUSCRIPT_BYTES:
        message = "the manuscript is larger than {limit} MB, the most Fleuron lays out (see SECURITY.md)"
        raise FleuronError(_(message, limit=MAX_MANUSCRIPT_BYTES // 1_000_000), str(path))
    for bom, encoding in _UNICODE_BOMS:
        if data.startswith(bom):
            raise FleuronError(
                _("this is {encoding} text, not UTF-8; save the file as UTF-8", encoding=encoding), str(path)
            )
    if b"\0" in data[:8192]:
        raise FleuronError(_("this is a binary file, not a text manuscript"), str(path))
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return data[start:].decode("utf-8")
    except UnicodeDecodeError as error:
        offset = start + error.start  # in the file, BOM included
        line = len(re.split(rb"\r\n|\r|\n", data[:offset]))
        message = _(
            "not UTF-8 text (byte {offset} is 0x{value}); save the file as UTF-8",
            offset=offset,
            value=f"{data[offset]:02x}",
        )
        raise FleuronError(message, str(path), line) from None


#: Called as the build goes: a stage's name, and for the book's layout each page as it comes.
Progress = Callable[[str, int | None], None]


@dataclass(frozen=True)
class Output:
    path: Path
    size: int
    pages: int | None
    rebuilt: bool


@dataclass(frozen=True)
class Report:
    outputs: list[Output]
    seconds: float


@dataclass(frozen=True)
class Plan:
    """What to build: the project's settings, with the command line's flags applied."""

    config: Config
    sources: tuple[Path, ...]
    out_dir: Path
    formats: tuple[str, ...]
    print_options: PrintOptions


def plan(
    source: Path | str | None = None,
    out_dir: Path | str | None = None,
    formats: Sequence[str] | None = None,
    print_options: PrintOptions | None = None,
) -> Plan:
    """Flags win over `fleuron.toml` (the project's: here, beside the source, or above it),
    which wins over defaults. A project's folder, or no source, builds its `sources`."""
    start = Path(source) if source is not None else Path()
    config_path = find_config(start) if start.exists() else None
    config = load_config(config_path) if config_path else Config()
    whole_project = source is None or (
        start.is_dir() and config_path is not None and start.resolve() == config.root.resolve()
    )
    if whole_project and config.sources:
        sources: tuple[Path, ...] = config.sources
    else:
        sources = (find_manuscript(Path(source) if source is not None else None),)
    chosen = tuple(dict.fromkeys(formats)) if formats else config.formats  # each once
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown:
        raise FleuronError(
            _("unknown format '{name}'; choose among {choices}", name=unknown[0], choices=", ".join(FORMATS))
        )
    options = print_options or PrintOptions()
    options = dataclasses.replace(
        options,
        marks=options.marks or config.marks,
        variant=options.variant or config.pdf_variant,
    )
    output = Path(out_dir) if out_dir is not None else config.output
    return Plan(config, sources, output, chosen, options)


def load_book(
    sources: Sequence[Path], defaults: Mapping[str, Any] | None = None, progress: Progress | None = None
) -> Document:
    """The manuscripts, in order, as one document (the first one's front matter describes the
    book), with French typography when it is in French."""
    step = progress or (lambda stage, page: None)
    step("reading", None)
    doc = load(sources[0], defaults)
    # A later chapter's front matter may say nothing of the book: the first one's stands.
    later = {**(defaults or {}), "title": doc.meta.title, "lang": doc.meta.lang}
    docs = [doc, *(load(source, later) for source in sources[1:])]
    for number, chapter in enumerate(docs[1:], 2):
        doc = dataclasses.replace(doc, blocks=doc.blocks + _separate(chapter, number, doc).blocks)
    step("typography", None)
    return typographize(doc)


def build(
    source: Path | str | None = None,
    out_dir: Path | str | None = None,
    formats: Sequence[str] | None = None,
    print_options: PrintOptions | None = None,
    *,
    zip_archive: bool = False,
    progress: Progress | None = None,
) -> Report:
    """Build what changed among the requested outputs; returns every output and its state.

    Outputs are made in memory first, then each is written to a temporary name and renamed:
    a failed build leaves the previous files as they were. Whether an output is up to date is
    decided by a hash of all that goes into it, kept in the output folder.
    """
    started = time.perf_counter()
    step = progress or (lambda stage, page: None)
    request = plan(source, out_dir, formats, print_options)
    doc = load_book(request.sources, request.config.defaults, step)
    state = _State(request.out_dir)
    keys = _input_keys(doc, request)
    stale = [fmt for fmt in request.formats if not state.fresh(fmt, keys[fmt], _output_path(request, doc, fmt))]
    made = render(doc, stale, request.print_options, step)
    from .writers.common import write_atomically

    outputs = []
    for fmt in request.formats:
        path = _output_path(request, doc, fmt)
        if fmt in made:
            data, pages = made[fmt]
            write_atomically(path, data)
            state.record(fmt, keys[fmt], data, pages)
        outputs.append(Output(path, path.stat().st_size, state.pages(fmt), fmt in made))
    state.save()
    # The manifest and the archive describe the whole folder: what this build made, and what
    # earlier builds left that is still current.
    listed = list(outputs)
    for fmt in FORMATS:
        path = _output_path(request, doc, fmt)
        if fmt not in request.formats and state.data.get(fmt) and path.is_file():
            listed.append(Output(path, path.stat().st_size, state.pages(fmt), False))
    write_manifest(request.out_dir, doc, listed)
    if zip_archive:
        outputs.append(write_zip(request.out_dir, doc, listed))
    return Report(outputs, time.perf_counter() - started)


def render(
    doc: Document, formats: Sequence[str], print_options: PrintOptions | None = None, progress: Progress | None = None
) -> dict[str, tuple[bytes, int | None]]:
    """Each requested output's bytes and page count, by format. The book is laid out once: its
    layout gives both the PDF and the ebook's page list."""
    from .writers.epub import epub_bytes
    from .writers.pagemap import page_breaks
    from .writers.pdf import book_html, book_pdf, handout_pdf

    step = progress or (lambda stage, page: None)
    outputs: dict[str, tuple[bytes, int | None]] = {}
    if not formats:
        return outputs
    html = book_html(doc, print_options) if {"pdf", "html", "epub"} & set(formats) else ""
    if "pdf" in formats or "epub" in formats:
        with _pages_reported(lambda page: step("book layout", page)):
            pdf, pages = book_pdf(doc, print_options, html=html, write="pdf" in formats)
        if "pdf" in formats:
            outputs["pdf"] = (pdf, len(pages))
    if "epub" in formats:
        step("epub", None)
        outputs["epub"] = (epub_bytes(doc, page_breaks(doc, pages)), len(pages))
    if "handout" in formats:
        with _pages_reported(lambda page: step("handout", page)):
            outputs["handout"] = handout_pdf(doc, print_options)
    if "html" in formats:
        outputs["html"] = (html.encode("utf-8"), None)
    return outputs


def write_manifest(out_dir: Path, doc: Document, outputs: Sequence[Output]) -> None:
    """`manifest.json`: each file with its size, SHA-256 and page count, for distribution."""
    from . import __version__
    from .writers.common import write_atomically

    files = [
        {"name": o.path.name, "size": o.size, "sha256": _sha256(o.path.read_bytes()), "pages": o.pages}
        for o in sorted(outputs, key=lambda o: o.path.name)
    ]
    manifest = {
        "generator": f"Fleuron {__version__}",
        "title": doc.meta.title,
        "identifier": doc.meta.identifier,
        "files": files,
    }
    data = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    target = out_dir / MANIFEST
    if not target.exists() or target.read_bytes() != data:
        write_atomically(target, data)


def write_zip(out_dir: Path, doc: Document, outputs: Sequence[Output]) -> Output:
    """`<slug>.zip`: the outputs and the manifest, ready to send; the same bytes every time."""
    import io
    import zipfile

    from .writers.common import release_time, write_atomically

    stamp = max(release_time(doc.meta).timetuple()[:6], (1980, 1, 1, 0, 0, 0))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted([*(o.path for o in outputs), out_dir / MANIFEST], key=lambda p: p.name):
            info = zipfile.ZipInfo(path.name, date_time=stamp)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    target = out_dir / f"{doc.meta.slug}.zip"
    data = buffer.getvalue()
    changed = not target.exists() or target.read_bytes() != data
    if changed:
        write_atomically(target, data)
    return Output(target, len(data), None, changed)


MANIFEST = "manifest.json"
_STATE = ".fleuron-build.json"


def _output_path(request: Plan, doc: Document, fmt: str) -> Path:
    return request.out_dir / f"{doc.meta.slug}{FILE_SUFFIXES[fmt]}"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _input_keys(doc: Document, request: Plan) -> dict[str, str]:
    """For each requested output, a hash of everything that goes into it: Fleuron's version,
    the document (its text, front matter and settings), the flags, the timestamp, the fonts
    and the images (hashed once for all outputs), and the output's own stylesheets."""
    from . import __version__
    from .model import to_json
    from .writers.common import local_images, project_files, release_time, resolve_image, stylesheet
    from .writers.fonts import FONTS_CONFIG, book_fonts

    # Each output's own stylesheets first (read in the order the outputs are asked for).
    sheets = {}
    for fmt in request.formats:
        names = _STYLESHEETS[fmt] + (_STYLESHEETS["pdf"] if fmt == "epub" else ())  # the page list follows the book
        sheets[fmt] = "".join(stylesheet(doc, name) for name in names)
    shared = hashlib.sha256()
    options = request.print_options
    # The timestamp stamped into the files (front matter `date`, else SOURCE_DATE_EPOCH, else now).
    settings = [__version__, options.trim, options.marks, options.variant, release_time(doc.meta).isoformat()]
    model = _without_positions(to_json(doc))  # where the text lies does not go into the outputs
    shared.update(json.dumps([settings, model], sort_keys=True, default=str).encode("utf-8"))
    shared.update(stylesheet(doc, FONTS_CONFIG).encode("utf-8"))
    files = [face.path for face in book_fonts(doc).faces]
    files += [image.path for image in local_images(doc).values()]
    if doc.meta.cover:  # the front matter's own cover image goes into the EPUB
        where = doc.blocks[0].pos.file if doc.blocks else ""
        files.append(resolve_image(doc.meta.cover, where, 0, project_files(doc), doc.meta.allow_remote).path)
    for path in files:
        shared.update(path.read_bytes())
    keys = {}
    for fmt, css in sheets.items():
        digest = shared.copy()
        digest.update(fmt.encode())
        digest.update(css.encode("utf-8"))
        keys[fmt] = digest.hexdigest()
    return keys


def _without_positions(data: Any) -> Any:
    if isinstance(data, list):
        return [_without_positions(item) for item in data]
    if isinstance(data, dict):
        return {key: _without_positions(value) for key, value in data.items() if key != "pos"}
    return data


_STYLESHEETS: dict[str, tuple[str, ...]] = {
    "epub": ("epub.css",),
    "pdf": ("text.css", "print.css"),
    "html": ("text.css", "print.css"),
    "handout": ("text.css", "handout.css"),
}


class _State:
    """What was built last time in an output folder: per format, the inputs' hash, the file's
    hash and its page count."""

    def __init__(self, out_dir: Path) -> None:
        self.path = out_dir / _STATE
        try:
            self.data: dict[str, dict[str, Any]] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.data = {}
        self.changed = False

    def fresh(self, fmt: str, key: str, path: Path) -> bool:
        entry = self.data.get(fmt)
        return bool(
            entry
            and entry.get("inputs") == key
            and path.is_file()
            and _sha256(path.read_bytes()) == entry.get("sha256")
        )

    def record(self, fmt: str, key: str, data: bytes, pages: int | None) -> None:
        self.data[fmt] = {"inputs": key, "sha256": _sha256(data), "pages": pages}
        self.changed = True

    def pages(self, fmt: str) -> int | None:
        pages = self.data.get(fmt, {}).get("pages")
        return int(pages) if pages is not None else None

    def save(self) -> None:
        if self.changed:
            from .writers.common import write_atomically

            write_atomically(self.path, json.dumps(self.data, indent=1, sort_keys=True).encode("utf-8"))


@contextmanager
def _pages_reported(report: Callable[[int], None]) -> Iterator[None]:
    """Passes WeasyPrint's page-by-page progress (its `weasyprint.progress` log) to `report`."""
    logger = logging.getLogger("weasyprint.progress")
    handler = _PageHandler(report)
    saved = logger.level, logger.propagate
    logger.setLevel(logging.INFO)
    logger.propagate = False  # to us, not to the console
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.level, logger.propagate = saved


class _PageHandler(logging.Handler):
    def __init__(self, report: Callable[[int], None]) -> None:
        super().__init__(logging.INFO)
        self.report = report

    def emit(self, record: logging.LogRecord) -> None:
        if "Creating layout - Page" in str(record.msg) and record.args:
            self.report(int(record.args[0]))  # type: ignore[index, call-overload]


def _separate(chapter: Document, number: int, book: Document) -> Document:
    """A later manuscript's notes and anchors, kept apart from the ones before it."""
    from .model import FootnoteDef, FootnoteRef, Heading, Link
    from .walk import iter_blocks

    taken = {b.identifier for b in iter_blocks(book.blocks) if isinstance(b, Heading)}
    labels = {b.label for b in iter_blocks(chapter.blocks) if isinstance(b, FootnoteDef)}
    own = {b.identifier for b in iter_blocks(chapter.blocks) if isinstance(b, Heading)}
    renamed = {identifier: f"{identifier}-{number}" for identifier in own & taken}

    def rename(node: Any) -> Any:
        if isinstance(node, tuple):
            return tuple(rename(item) for item in node)
        if isinstance(node, (FootnoteRef, FootnoteDef)) and node.label in labels:
            node = dataclasses.replace(node, label=f"{number}/{node.label}")
        if isinstance(node, Heading) and node.identifier in renamed:
            node = dataclasses.replace(node, identifier=renamed[node.identifier])
        if isinstance(node, Link) and node.target.startswith("#") and node.target[1:] in renamed:
            node = dataclasses.replace(node, target="#" + renamed[node.target[1:]])  # the chapter's own heading
        if dataclasses.is_dataclass(node) and not isinstance(node, type):
            changes = {f.name: rename(getattr(node, f.name)) for f in dataclasses.fields(node) if f.name != "pos"}
            return dataclasses.replace(node, **changes)
        return node

    return dataclasses.replace(chapter, blocks=rename(chapter.blocks))
