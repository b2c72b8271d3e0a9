"""The pipeline, the only module that joins readers, typography and writers: from a project's manuscripts to
the files of its output folder, rebuilding only what changed."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .checks import check_document
from .config import Config, find_config, load_config
from .errors import FleuronError
from .model import Document
from .parallel import KeepWarnings, Layouts
from .readers import find_manuscript, load
from .state import BuildState, Inputs, Output, Report, Request, print_flags
from .storage import MANIFEST, Staged, recover, remove_dead_folders
from .transforms import book_parts, join_chapters, without_positions
from .typography import typographize
from .writers import formats as output_formats
from .writers.formats import FORMATS, Made
from .writers.layout import Laid
from .writers.pdf import PrintOptions

if TYPE_CHECKING:
    from .writers.chapters import Book

__all__ = ["Plan", "build", "find_manuscript", "load", "load_book", "plan", "render"]

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
    *,
    allow_outside: bool = False,
) -> Plan:
    """Flags win over `fleuron.toml` (the project's: here, beside the source, or above it),
    which wins over defaults. A project's folder, or no source, builds its `sources`.
    `allow_outside`: `fleuron.toml`'s `sources` and `output` may be outside the project's folder
    (`out_dir`, the command line's `-o`, always may)."""
    start = Path(source) if source is not None else Path()
    config_path = find_config(start) if start.exists() else None
    config = (
        load_config(config_path, allow_outside=allow_outside, output_given=out_dir is not None)
        if config_path
        else Config()
    )
    whole_project = source is None or (
        start.is_dir() and config_path is not None and start.resolve() == config.root.resolve()
    )
    if whole_project and config.sources:
        sources: tuple[Path, ...] = config.sources
    else:
        sources = (find_manuscript(Path(source) if source is not None else None),)
    chosen = tuple(dict.fromkeys(formats)) if formats else config.formats  # each once
    unknown = output_formats.unknown_format(chosen)
    if unknown:
        raise FleuronError(unknown)
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
    first = load(sources[0], defaults)
    # A later chapter's front matter may say nothing of the book: the first one's stands.
    later = {**(defaults or {}), "title": first.meta.title, "lang": first.meta.lang}
    doc = book_parts(join_chapters([first, *(load(source, later) for source in sources[1:])]))
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
    allow_outside: bool = False,
) -> Report:
    """Build what changed among the requested outputs; returns every output and its state.
    `layouts`: the layout processes, when the caller could start them before importing this.
    `allow_outside`: `fleuron.toml`'s paths may be outside the project's folder (`plan`).

    Outputs are made in memory first, then all written to temporary names, then renamed
    together (`storage.Staged`): a failed or killed build leaves the previous files as they
    were, or, once they were all written, this build's, whole. Whether an output is up to date is
    decided by a hash of all that goes into it, kept in the output folder with a witness of the
    whole build (`state.py`), which lets the next `fleuron build` stop before parsing anything.
    """
    started = time.perf_counter()
    step = progress or (lambda stage, page: None)
    inputs = Inputs()
    with _warnings_kept() as warnings:
        _project_inputs(inputs, source)
        request = plan(source, out_dir, formats, print_options, allow_outside=allow_outside)
        # What a build killed outright left: its renames completed, its temporary files removed.
        recover(request.out_dir)
        remove_dead_folders()
        # The book's layout process starts now, to import WeasyPrint while this one reads the manuscript.
        layouts = layouts or Layouts()
        if output_formats.BOOK_LAYOUT & output_formats.needs(request.formats):
            layouts.start("book")
        if output_formats.BOOK_PDF in output_formats.needs(request.formats):
            from .writers.chapters import start_early

            start_early(layouts, request.sources)  # a long book's other layout processes, too
        try:
            inputs.files_in(request.sources)
            doc = load_book(request.sources, request.config.defaults, step)
            check_document(doc)  # the same outcome whatever the formats, before any writer
            state = BuildState(request.out_dir)
            keys = _input_keys(doc, request, inputs)
            vouched = _writer_inputs(inputs, doc)
            outputs_of = {fmt: _output_path(request, doc, fmt) for fmt in request.formats}
            stale = [fmt for fmt in request.formats if not state.fresh(fmt, keys[fmt], outputs_of[fmt])]
            # The handout's process after the reading, which then leaves the core to it.
            if output_formats.HANDOUT_PDF in output_formats.needs(stale):
                layouts.start("handout")
            made = render(doc, stale, request.print_options, step, layouts)
        finally:
            layouts.stop()
    from .distribution import manifest, write_manifest, write_zip

    # Every new file is written beside its target first; only then are they renamed, all
    # together, the manifest and the state last (`storage.Staged`): the folder holds the last
    # build or this one, never a mix, even if this one fails or is killed meanwhile.
    with Staged(request.out_dir) as staged:
        outputs = []
        for fmt in request.formats:
            path = _output_path(request, doc, fmt)
            if fmt in made:
                data, pages = made[fmt]
                staged.write(path, data)
                state.record(fmt, keys[fmt], data, pages)
                size = len(data)
            else:
                size = path.stat().st_size
            outputs.append(Output(path, size, state.pages(fmt), fmt in made))
        # The manifest and the archive describe the whole folder: what this build made, and what
        # earlier builds left that is still current.
        listed = list(outputs)
        for fmt in FORMATS:
            path = _output_path(request, doc, fmt)
            if fmt not in request.formats and state.built(fmt) and path.is_file():
                listed.append(Output(path, path.stat().st_size, state.pages(fmt), False))
        listing = manifest(doc, listed, staged)
        if zip_archive:
            outputs.append(write_zip(request.out_dir, doc, listed, listing, staged))
        write_manifest(request.out_dir, listing, staged)
        left = [o.path for o in listed] + [request.out_dir / MANIFEST] + ([outputs[-1].path] if zip_archive else [])
        flags = print_options or PrintOptions()  # as asked, before fleuron.toml's settings (it is an input)
        given = print_flags(flags.trim, flags.marks, flags.variant, flags.creep, flags.pod)  # as `cli` asks
        asked = Request(source, out_dir, formats, given, zip_archive, allow_outside).key()
        witnessed = vouched and inputs.witnessable
        state.witness(inputs.witness(asked, left, outputs, warnings, staged.sha256) if witnessed else None)
        state.save(staged.write)
        staged.commit()
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
    """Each requested output's bytes and page count, by format (`writers/formats.py`). What
    several formats are made from is made once: the book's layout gives both the PDF and the
    ebook's page list. `layouts` may have started the layout processes beforehand (`build`
    does, before reading the manuscript)."""
    from . import pagecache
    from .writers import pod
    from .writers.formats import BOOK_HTML, BOOK_PAGES, BOOK_PDF, HANDOUT_PDF
    from .writers.pdf import book_html, book_job, handout_job

    step = progress or (lambda stage, page: None)
    needed = output_formats.needs(formats)
    own = layouts is None
    layouts = layouts or Layouts()
    try:
        html = book_html(doc, print_options) if BOOK_HTML in needed else ""
        book = handout = None
        if output_formats.BOOK_LAYOUT & needed:
            job = book_job(doc, print_options, html=html, write=BOOK_PDF in needed)
            kept = pagecache.kept_path(job)
            # Page texts without the book: those of the same book's last layout, if kept.
            known = None if BOOK_PDF in needed else pagecache.read_kept(kept)
            by_chapter = _by_chapter(doc, print_options, job) if known is None and BOOK_PDF in needed else None
            if known is None and by_chapter is None:
                layouts.send("book", job)
        if HANDOUT_PDF in needed:
            layouts.send("handout", handout_job(doc, print_options))
        if output_formats.BOOK_LAYOUT & needed:
            if by_chapter is not None:  # runs of chapters in other processes, joined (`writers/chapters.py`)
                step("book layout", None)
                book = _by_runs(job, by_chapter, layouts)
                if book is None:
                    layouts.send("book", job)
            if book is not None:
                pagecache.keep(kept, book.page_texts)
            elif known is None:
                book = layouts.result("book", lambda page: step("book layout", page))
                # A print-on-demand service's inside margin follows the page count (`pod.py`).
                for _attempt in range(3):
                    again = pod.settled(doc, print_options or PrintOptions(), book.pages)
                    if again is None:
                        break
                    print_options = again
                    html = book_html(doc, print_options) if BOOK_HTML in needed else ""
                    layouts.send("book", book_job(doc, print_options, html=html, write=BOOK_PDF in needed))
                    book = layouts.result("book", lambda page: step("book layout", page))
                pagecache.keep(kept, book.page_texts)
            else:
                book = Laid(b"", known)
        if HANDOUT_PDF in needed:
            handout = layouts.result("handout", lambda page: step("handout", page))
    finally:
        if own:
            layouts.stop()
    made = Made(doc, html, book, handout, print_options)
    outputs = {}
    for name in formats:
        if BOOK_PAGES in FORMATS[name].needs:  # the formats whose own making takes time
            step(name, None)
        outputs[name] = FORMATS[name].make(made)
    return outputs


def _by_runs(job: Any, runs: Book, layouts: Layouts) -> Laid | None:
    """The book laid out by runs of chapters and joined, or None when it must be laid out whole:
    a process that died (but not of the memory budget), numbers that did not settle."""
    from .budget import layout_process_died
    from .messages import _
    from .parallel import NoResult
    from .writers.chapters import NotSettled, lay_out_book

    log = logging.getLogger("fleuron")
    try:
        return lay_out_book(job, runs, layouts)[0]
    except (NoResult, MemoryError) as error:
        layout_process_died(error, layouts.max_memory)
        log.info(_("{reason}; laying out the book whole", reason=error))
    except NotSettled as error:
        log.info(_("{reason}; laying out the book whole", reason=error))
    return None


def _by_chapter(doc: Document, options: PrintOptions | None, job: Any) -> Book | None:
    """The book split into runs of chapters (`chapters.Book`) if it is laid out so: parts
    enough, each on a right-hand page, and no print-on-demand service (whose inside margin
    follows the page count); else None."""
    from .writers.chapters import applies

    return None if (options and options.pod) or doc.meta.pod else applies(job)


def _output_path(request: Plan, doc: Document, fmt: str) -> Path:
    return request.out_dir / f"{doc.meta.slug}{FORMATS[fmt].suffix}"


def _input_keys(doc: Document, request: Plan, inputs: Inputs) -> dict[str, str]:
    """For each requested output, a hash of everything that goes into it: Fleuron's version,
    the document (its text, front matter and settings), the flags, the timestamp, the fonts
    and the images (hashed once for all outputs), and the output's own stylesheets. Each file
    is also given to `inputs`, as read here, for the build's witness."""
    from . import __version__
    from .model import to_json
    from .writers.fonts import FONTS_CONFIG, book_fonts, face_files
    from .writers.images import local_images, resolve_cover
    from .writers.stylesheets import stylesheet, stylesheet_path
    from .writers.timestamp import release_time

    def sheet(name: str) -> str:
        text = stylesheet(doc, name)
        inputs.file(stylesheet_path(doc, name), text.encode("utf-8"))
        return text

    # Each output's own stylesheets first (read in the order the outputs are asked for).
    sheets = {}
    for fmt in request.formats:
        sheets[fmt] = "".join(sheet(name) for name in FORMATS[fmt].stylesheets)
    shared = hashlib.sha256()
    options = request.print_options
    # The booklet's creep and `--pod` only when given (the front matter's `pod` is part of the model),
    # and the timestamp stamped into the files (front matter `date`, else SOURCE_DATE_EPOCH, else now).
    flags = print_flags(options.trim, options.marks, options.variant, options.creep, options.pod)
    settings = [__version__, *flags, release_time(doc.meta).isoformat()]
    model = to_json(without_positions(doc))
    shared.update(json.dumps([settings, model], sort_keys=True, default=str).encode("utf-8"))
    shared.update(sheet(FONTS_CONFIG).encode("utf-8"))
    inputs.files_in(face_files(doc))  # before `book_fonts` reads them (a derived face follows its source)
    faces = book_fonts(doc).faces
    files = [face.path for face in faces]
    files += [image.path for image in local_images(doc).values()]
    if doc.meta.cover:  # the front matter's own cover image goes into the EPUB
        files.append(resolve_cover(doc).path)
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
