"""The pipeline, the only module that joins readers, typography and writers: from a project's manuscripts to
the files of its output folder, rebuilding only what changed."""

from __future__ import annotations

import codecs
import dataclasses
import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import FORMATS, Config, find_config, load_config
from .errors import FleuronError
from .messages import _
from .model import Document
from .parallel import KeepWarnings, Layouts
from .readers import read
from .state import BuildState, Inputs, Output, Report, Request, code_fingerprint, listing, sha256_file
from .typography import typographize
from .writers.layout import Laid, LayoutJob
from .writers.pdf import BOOK_STYLESHEETS, HANDOUT_STYLESHEETS, PrintOptions

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
    layouts: Layouts | None = None,
) -> Report:
    """Build what changed among the requested outputs; returns every output and its state.
    `layouts`: the layout processes, when the caller could start them before importing this.

    Outputs are made in memory first, then each is written to a temporary name and renamed:
    a failed build leaves the previous files as they were. Whether an output is up to date is
    decided by a hash of all that goes into it, kept in the output folder with a witness of the
    whole build (`state.py`), which lets the next `fleuron build` stop before parsing anything.
    """
    started = time.perf_counter()
    step = progress or (lambda stage, page: None)
    inputs = Inputs()
    with _warnings_kept() as warnings:
        _project_inputs(inputs, source)
        request = plan(source, out_dir, formats, print_options)
        # The book's layout process starts now, to import WeasyPrint while this one reads the manuscript.
        layouts = layouts or Layouts()
        if "pdf" in request.formats or "epub" in request.formats:
            layouts.start("book")
        try:
            inputs.files_in(request.sources)
            doc = load_book(request.sources, request.config.defaults, step)
            state = BuildState(request.out_dir)
            keys = _input_keys(doc, request, inputs)
            vouched = _writer_inputs(inputs, doc)
            outputs_of = {fmt: _output_path(request, doc, fmt) for fmt in request.formats}
            stale = [fmt for fmt in request.formats if not state.fresh(fmt, keys[fmt], outputs_of[fmt])]
            if "handout" in stale:  # this one after the reading, which then leaves the core to it
                layouts.start("handout")
            made = render(doc, stale, request.print_options, step, layouts)
        finally:
            layouts.stop()
    from .storage import write_atomically

    outputs = []
    for fmt in request.formats:
        path = _output_path(request, doc, fmt)
        if fmt in made:
            data, pages = made[fmt]
            write_atomically(path, data)
            state.record(fmt, keys[fmt], data, pages)
        outputs.append(Output(path, path.stat().st_size, state.pages(fmt), fmt in made))
    # The manifest and the archive describe the whole folder: what this build made, and what
    # earlier builds left that is still current.
    listed = list(outputs)
    for fmt in FORMATS:
        path = _output_path(request, doc, fmt)
        if fmt not in request.formats and state.built(fmt) and path.is_file():
            listed.append(Output(path, path.stat().st_size, state.pages(fmt), False))
    write_manifest(request.out_dir, doc, listed)
    if zip_archive:
        outputs.append(write_zip(request.out_dir, doc, listed))
    left = [o.path for o in listed] + [request.out_dir / MANIFEST] + ([outputs[-1].path] if zip_archive else [])
    flags = print_options or PrintOptions()  # as asked, before fleuron.toml's settings (it is an input)
    asked = Request(source, out_dir, formats, (flags.trim, flags.marks, flags.variant), zip_archive).key()
    state.witness(inputs.witness(asked, left, outputs, warnings) if vouched and inputs.witnessable else None)
    state.save()
    return Report(outputs, time.perf_counter() - started, tuple(warnings))


def _project_inputs(inputs: Inputs, source: Path | str | None) -> None:
    """What `plan` is about to read: the `fleuron.toml` it finds (and the places it looks
    first), and the folder it searches for the manuscript."""
    start = Path(source) if source is not None else Path()
    if start.exists():
        inputs.project_config(start)
    folder = start if source is not None else Path("manuscript")
    if folder.is_dir():
        inputs.folder(folder)
    inputs.unlinked([start])


def _writer_inputs(inputs: Inputs, doc: Document) -> bool:
    """Where the writers look for files: the project's `styles/` (or that it has none) and the
    font folders. False when the outputs depend on more than files: the time of the build, or
    images fetched from the network."""
    from .writers.files import manuscript_dirs
    from .writers.fonts import SYSTEM_FONT_DIRS
    from .writers.images import local_images
    from .writers.stylesheets import project_styles_dir

    styles = project_styles_dir(doc)
    if styles is not None:
        inputs.folder(styles, recursive=True)  # "absent" when there is none
    sources = {Path(block.pos.file) for block in doc.blocks}  # as given: the build resolves them
    inputs.unlinked([*sorted(sources), *manuscript_dirs(doc), *([styles] if styles else [])])
    for folder in SYSTEM_FONT_DIRS:
        inputs.folder(folder, recursive=True)
    fetched = any(image.remote.lower().startswith(("http:", "https:")) for image in local_images(doc).values())
    cover = doc.meta.cover.lower().startswith(("http:", "https:"))
    stamped_now = doc.meta.date is None and not os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return not (fetched or cover or stamped_now)


@contextmanager
def _warnings_kept() -> Iterator[list[str]]:
    """The warnings Fleuron gives while the block runs (shown as usual, and kept)."""

    kept: list[tuple[str, int, str]] = []
    messages: list[str] = []
    handler = KeepWarnings(kept)
    logger = logging.getLogger("fleuron")
    logger.addHandler(handler)
    try:
        yield messages
    finally:
        logger.removeHandler(handler)
        messages.extend(message for _, _, message in kept)


def render(
    doc: Document,
    formats: Sequence[str],
    print_options: PrintOptions | None = None,
    progress: Progress | None = None,
    layouts: Layouts | None = None,
) -> dict[str, tuple[bytes, int | None]]:
    """Each requested output's bytes and page count, by format. The book is laid out once: its
    layout gives both the PDF and the ebook's page list. `layouts` may have started the layout
    processes beforehand (`build` does, before reading the manuscript)."""
    from .writers.pdf import book_html, book_job, handout_job

    step = progress or (lambda stage, page: None)
    outputs: dict[str, tuple[bytes, int | None]] = {}
    own = layouts is None
    layouts = layouts or Layouts()
    try:
        html = book_html(doc, print_options) if {"pdf", "html", "epub"} & set(formats) else ""
        if "pdf" in formats or "epub" in formats:
            job = book_job(doc, print_options, html=html, write="pdf" in formats)
            kept = _kept_page_texts(job)
            # An ebook without the book: the page list from the same book's last layout, if kept.
            known = None if "pdf" in formats else _read_page_texts(kept)
            if known is None:
                layouts.send("book", job)
        if "handout" in formats:
            layouts.send("handout", handout_job(doc, print_options))
        if "pdf" in formats or "epub" in formats:
            if known is None:
                book = layouts.result("book", lambda page: step("book layout", page))
                _keep_page_texts(kept, book.page_texts)
            else:
                book = Laid(b"", known)
            if "pdf" in formats:
                outputs["pdf"] = (book.pdf, book.pages)
            if "epub" in formats:
                from .writers.epub import epub_bytes  # ebooklib and lxml: only for an EPUB
                from .writers.pagemap import page_breaks

                step("epub", None)
                outputs["epub"] = (epub_bytes(doc, page_breaks(doc, list(book.page_texts))), book.pages)
        if "handout" in formats:
            handout = layouts.result("handout", lambda page: step("handout", page))
            outputs["handout"] = (handout.pdf, handout.pages)
    finally:
        if own:
            layouts.stop()
    if "html" in formats:
        outputs["html"] = (html.encode("utf-8"), None)
    return outputs


def _kept_page_texts(job: LayoutJob) -> Path:
    """Where the book's page texts are kept between builds, for an ebook made without the book
    (after a change to `epub.css` only, or with `--format epub`): named by a hash of all that
    decides the layout (the HTML and its styles, the fonts' and images' bytes, the options,
    Fleuron, the installed packages, the system's libraries and font folders)."""
    from .storage import user_cache_dir
    from .writers.fonts import SYSTEM_FONT_DIRS

    fonts = [listing(folder, recursive=True) for folder in SYSTEM_FONT_DIRS]
    decided = [_PAGE_TEXTS_FORMAT, job.html, job.variant, job.bleed_mm, list(job.families), code_fingerprint(), fonts]
    digest = hashlib.sha256(json.dumps(decided).encode("utf-8"))
    for path in sorted(job.project.files):
        digest.update(str(path).encode("utf-8") + b"\0" + path.read_bytes())
    return user_cache_dir("pages") / f"{digest.hexdigest()[:32]}.json"


def _read_page_texts(path: Path) -> tuple[str, ...] | None:
    try:
        texts = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    valid = isinstance(texts, list) and texts and all(isinstance(text, str) for text in texts)
    return tuple(texts) if valid else None


def _keep_page_texts(path: Path, texts: Sequence[str]) -> None:
    """Keep them, and only the most recent `_PAGE_TEXTS_KEPT` layouts: each edit is a new one."""
    from .storage import write_atomically

    with suppress(OSError):  # an unwritable cache costs the next ebook a layout, nothing else
        write_atomically(path, json.dumps(list(texts), ensure_ascii=False).encode("utf-8"))
        kept = sorted(path.parent.glob("*.json"), key=lambda entry: entry.stat().st_mtime_ns, reverse=True)
        for old in kept[_PAGE_TEXTS_KEPT:]:
            old.unlink(missing_ok=True)


#: Bump when what is kept, or how it is named, changes.
_PAGE_TEXTS_FORMAT = "page-texts 1"
_PAGE_TEXTS_KEPT = 100


def write_manifest(out_dir: Path, doc: Document, outputs: Sequence[Output]) -> None:
    """`manifest.json`: each file with its size, SHA-256 and page count, for distribution."""
    from . import __version__
    from .storage import write_atomically

    files = [
        {"name": o.path.name, "size": o.size, "sha256": sha256_file(o.path), "pages": o.pages}
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

    from .storage import write_atomically
    from .writers.timestamp import release_time

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


def _output_path(request: Plan, doc: Document, fmt: str) -> Path:
    return request.out_dir / f"{doc.meta.slug}{FILE_SUFFIXES[fmt]}"


def _input_keys(doc: Document, request: Plan, inputs: Inputs) -> dict[str, str]:
    """For each requested output, a hash of everything that goes into it: Fleuron's version,
    the document (its text, front matter and settings), the flags, the timestamp, the fonts
    and the images (hashed once for all outputs), and the output's own stylesheets. Each file
    is also given to `inputs`, as read here, for the build's witness."""
    from . import __version__
    from .model import to_json
    from .writers.files import project_files
    from .writers.fonts import FONTS_CONFIG, book_fonts, face_files
    from .writers.images import local_images, resolve_image
    from .writers.stylesheets import stylesheet, stylesheet_path
    from .writers.timestamp import release_time

    def sheet(name: str) -> str:
        text = stylesheet(doc, name)
        inputs.file(stylesheet_path(doc, name), text.encode("utf-8"))
        return text

    # Each output's own stylesheets first (read in the order the outputs are asked for).
    sheets = {}
    for fmt in request.formats:
        names = _STYLESHEETS[fmt] + (_STYLESHEETS["pdf"] if fmt == "epub" else ())  # the page list follows the book
        sheets[fmt] = "".join(sheet(name) for name in names)
    shared = hashlib.sha256()
    options = request.print_options
    # The timestamp stamped into the files (front matter `date`, else SOURCE_DATE_EPOCH, else now).
    settings = [__version__, options.trim, options.marks, options.variant, release_time(doc.meta).isoformat()]
    model = _without_positions(to_json(doc))  # where the text lies does not go into the outputs
    shared.update(json.dumps([settings, model], sort_keys=True, default=str).encode("utf-8"))
    shared.update(sheet(FONTS_CONFIG).encode("utf-8"))
    inputs.files_in(face_files(doc))  # before `book_fonts` reads them (a derived face follows its source)
    faces = book_fonts(doc).faces
    files = [face.path for face in faces]
    files += [image.path for image in local_images(doc).values()]
    if doc.meta.cover:  # the front matter's own cover image goes into the EPUB
        where = doc.blocks[0].pos.file if doc.blocks else ""
        files.append(resolve_image(doc.meta.cover, where, 0, project_files(doc), doc.meta.allow_remote).path)
    for path in files:
        data = path.read_bytes()
        inputs.file(path, data)
        shared.update(data)
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


#: Each output's stylesheets, as its writer names them (the EPUB's without importing ebooklib).
_STYLESHEETS: dict[str, tuple[str, ...]] = {
    "epub": ("epub.css",),
    "pdf": BOOK_STYLESHEETS,
    "html": BOOK_STYLESHEETS,
    "handout": HANDOUT_STYLESHEETS,
}


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
