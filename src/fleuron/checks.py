"""The document check: what would make an output wrong, found once, after reading and before
any writer, so that every format fails the same way (`file:line: message`, exit 1, nothing
written) or none does.

It owns these checks, run on each block in document order, in this order:

- `heading_text`: a heading without text (a chapter, an entry of the contents needs a title);
- `unique_ids`: an anchor given twice (a heading's, a figure's, a table's, or the `{#id}` of a
  div, a span or an image: `walk.block_ids`) or a note's label given twice (links and
  notes would go to one of them at random: the writers keep the last);
- `links`: a link to `#anchor` that names none of those anchors, or to a file of the project
  (no output holds the project's files; the address is not valid);
- `sizes`: what makes WeasyPrint's layout cost explode, past what any book holds: more than
  `MAX_HEADINGS` headings, a table of more than `MAX_TABLE_CELLS` cells, a run of inline text
  (a paragraph, a heading, a cell) longer than `MAX_RUN_CHARACTERS`, or holding more than
  `MAX_UNBROKEN_CHARACTERS` characters in a row where no line can break;
- `images`: an image that cannot be read: missing, outside the project or remote without
  `allow_remote` (said by `writers.images.resolve_image`), an unsafe SVG (`check_svg`, called
  by it), and a raster image that does not decode, is not of the type its name says, or has
  more than `MAX_IMAGE_PIXELS` pixels.

The front matter's `cover` image is checked first: the front matter opens the file. The first
problem met is raised; problems inside a block's text are reported at the block's line.
Pillow is imported only when the document has raster images.
"""

from __future__ import annotations

import itertools
import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlsplit

from .errors import FleuronError
from .messages import _
from .model import (
    Block,
    Document,
    Figure,
    FootnoteDef,
    Heading,
    Image,
    Link,
    SourcePos,
    Table,
)
from .walk import InlineRun, block_ids, block_inline_runs, iter_blocks, iter_inlines, plain_text

if TYPE_CHECKING:
    from .writers.files import ProjectFiles
    from .writers.images import LocalImage

#: A raster image with more pixels than this is refused: 50 million pixels (about 7000×7000,
#: 60 cm wide at 300 dpi) is more than any page needs, and it already takes 200 MB to decode
#: as RGBA, in each layout process. Pillow's own guard (`Image.MAX_IMAGE_PIXELS`, about 89
#: million, an error past twice that) is looser, and global: it is left as it is.
MAX_IMAGE_PIXELS = 50_000_000

# Limits where WeasyPrint's cost explodes (measured with WeasyPrint 70 on 2 cores: SECURITY.md,
# "Limits"). Each is far above what the article (18 headings, paragraphs under 1,000 characters)
# or a long novel holds, and keeps the worst manuscript's layout time linear in its size.

#: Each heading is a bookmark, an entry of the contents and, for chapters, a page: 1,000
#: headings took 30 s and 0.5 GB to lay out (250: 7 s, 0.18 GB), 5,000 took 256 s and 1.3 GB.
#: A long novel has under 200; a reference manual of 1,000 pages, about 1,500.
MAX_HEADINGS = 2_000
#: A table grows worse than linearly, past some thousands of cells (two-column rows): 4,000
#: cells took 7 s, 8,000: 14 s and 0.25 GB, 16,000: 44 s and 0.54 GB; 100,000 were killed at
#: 590 s with 2 GB resident. 10,000 cells is about 100 pages of table; a book's have hundreds.
MAX_TABLE_CELLS = 10_000
#: A paragraph (or heading, or cell) is one inline layout: when one of its lines overflows (a
#: word wider than the page, then a link or an emphasis), WeasyPrint analyses the rest of the
#: paragraph again at each line, for hyphenation. With that, a 16,000-character paragraph took
#: 6 s, 32,000: 17 s, 64,000: 42 s (plain text of the same size: 1 to 2 s). Bounding the
#: paragraph bounds each line's cost, so the whole layout stays linear in the manuscript's size.
#: 100,000 characters is about 40 pages without a blank line.
MAX_RUN_CHARACTERS = 100_000
#: A run with no break opportunity is what overflows a line; the issue's nested links
#: (`[a[a[a…x](u)](u)…`, 2 characters a level) are one. No word, even a URL (which breaks at
#: `/` and `-`), comes near 1,000 characters (15 lines of one word).
MAX_UNBROKEN_CHARACTERS = 1_000

#: Where a line may break, as far as this check is concerned: a space (not a no-break one),
#: a soft hyphen or a zero-width space, a hyphen, a dash or a slash.
_UNBROKEN = re.compile("[^ \t\n\r\f\v\u1680\u2000-\u2006\u2008-\u200b\u205f\u3000\u00ad/\\-\u2010\u2012-\u2014]+")

#: The format Pillow must find in an image, by the media type its file name gives it.
_PILLOW_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WEBP"}
#: A camera's JPEG holding several pictures is opened as MPO.
_SAME_FORMATS = {"MPO": "JPEG"}
_SUFFIXES = {"PNG": ".png", "JPEG": ".jpg", "GIF": ".gif", "WEBP": ".webp"}
#: A later manuscript's note labels are prefixed with its number (`transforms.join_chapters`).
_CHAPTER_LABEL = re.compile(r"\d+/(.+)")


def check_document(doc: Document) -> None:
    """Raise `FleuronError` at the first problem of `doc`, in document order (see the module's
    docstring for the checks, their order and their messages). Remote images are fetched here
    when the front matter allows them, as the writers would."""
    state = _State(doc)
    if doc.meta.cover:
        _check_cover(doc, state)
    for block in iter_blocks(doc.blocks):
        for check in CHECKS:
            check(block, state)


@dataclass
class _State:
    """What the checks learn as they go through the document."""

    doc: Document
    #: Every heading's anchor: a link may point forward.
    anchors: frozenset[str] = field(init=False)
    #: Where each anchor and each note label was first given.
    ids: dict[str, SourcePos] = field(default_factory=dict)
    labels: dict[str, SourcePos] = field(default_factory=dict)
    #: Image sources already checked (an image shown twice is read once).
    images: set[str] = field(default_factory=set)
    #: Headings met so far.
    headings: int = 0
    _project: ProjectFiles | None = None

    def __post_init__(self) -> None:
        from .writers.xhtml import target_ids

        self.anchors = frozenset(target_ids(self.doc))

    def project(self) -> ProjectFiles:
        if self._project is None:
            from .writers.files import project_files

            self._project = project_files(self.doc)
        return self._project


def _fail(message: str, pos: SourcePos) -> FleuronError:
    return FleuronError(message, pos.file, pos.line)


def heading_text(block: Block, state: _State) -> None:
    if isinstance(block, Heading) and not plain_text(block.content).strip():
        raise _fail(_("this heading has no text; give it one"), block.pos)


def unique_ids(block: Block, state: _State) -> None:
    heading = block.identifier if isinstance(block, Heading) else ""
    for number, own in enumerate(block_ids(block)):
        first = state.ids.get(own)
        if first is None:
            state.ids[own] = block.pos
            continue
        if number == 0 and own == heading:  # a heading's own anchor comes first
            message = _(
                "this heading's anchor '{anchor}' is already the one of the heading at {where}; "
                "give each heading its own",
                anchor=own,
                where=_where(first, block.pos),
            )
        else:
            message = _(
                "the anchor '{anchor}' is already given at {where}; give each element its own anchor",
                anchor=own,
                where=_where(first, block.pos),
            )
        raise _fail(message, block.pos)
    if isinstance(block, FootnoteDef):
        first = state.labels.get(block.label)
        if first is None:
            state.labels[block.label] = block.pos
        else:
            written = _CHAPTER_LABEL.fullmatch(block.label)
            label = written.group(1) if written and block.pos.file != _first_file(state.doc) else block.label
            message = _(
                "the note '[^{label}]' is already defined at {where}; give each note its own label",
                label=label,
                where=_where(first, block.pos),
            )
            raise _fail(message, block.pos)


def links(block: Block, state: _State) -> None:
    for link in _inlines_of(block, Link):
        target = link.target
        if target.startswith("#"):
            if target[1:] not in state.anchors:
                message = _("the link to '{target}' names no heading, figure or table of the book", target=target)
                raise _fail(message, block.pos)
            continue
        try:
            scheme = urlsplit(target).scheme
        except ValueError:
            raise _fail(_("the link to '{target}' is not a valid address", target=target), block.pos) from None
        if not scheme:
            message = _(
                "the link to '{target}' points to a file, which an ebook cannot hold; "
                "link to a heading ('#…') or to a full address (https://…)",
                target=target,
            )
            raise _fail(message, block.pos)


def sizes(block: Block, state: _State) -> None:
    if isinstance(block, Heading):
        state.headings += 1
        if state.headings > MAX_HEADINGS:
            message = _(
                "the book has more than {limit} headings (the limit is {limit}; "
                "make the smallest ones bold paragraphs, or split the book into volumes)",
                limit=MAX_HEADINGS,
            )
            raise _fail(message, block.pos)
    if isinstance(block, Table):
        cells = len(block.header) + sum(len(row) for row in block.rows)
        if cells > MAX_TABLE_CELLS:
            message = _(
                "this table has {count} cells (the limit is {limit}; split it into several tables, "
                "or publish such data beside the book)",
                count=cells,
                limit=MAX_TABLE_CELLS,
            )
            raise _fail(message, block.pos)
        # A table's header is on its first line, its rows after the delimiter row.
        lines: list[int] = [block.pos.line] * len(block.header)
        for number, row in enumerate(block.rows):
            lines += [block.pos.line + 2 + number] * len(row)
    else:
        lines = []
    for run, line in zip(block_inline_runs(block), lines or itertools.repeat(block.pos.line), strict=False):
        _check_run(run, block.pos.file, line)


def _check_run(run: InlineRun, file: str, line: int) -> None:
    text = plain_text(run, line_break="\n")  # a line of the manuscript, and a break opportunity
    if len(text) > MAX_RUN_CHARACTERS:
        message = _(
            "this paragraph is {count} characters long (the limit is {limit}; split it with a blank line)",
            count=len(text),
            limit=MAX_RUN_CHARACTERS,
        )
        raise FleuronError(message, file, line)
    if len(text) <= MAX_UNBROKEN_CHARACTERS:
        return
    for unbroken in _UNBROKEN.finditer(text):
        if unbroken.end() - unbroken.start() > MAX_UNBROKEN_CHARACTERS:
            message = _(
                "{count} characters without a space here (the limit is {limit}; no word is that long: "
                "add spaces, or put such text in a code block)",
                count=unbroken.end() - unbroken.start(),
                limit=MAX_UNBROKEN_CHARACTERS,
            )
            raise FleuronError(message, file, line + text.count("\n", 0, unbroken.start()))


def images(block: Block, state: _State) -> None:
    from .writers.images import resolve_image

    shown = list(_inlines_of(block, Image))
    if isinstance(block, Figure):
        shown.append(block.image)
    for image in shown:
        if image.source in state.images:
            continue
        state.images.add(image.source)
        found = resolve_image(
            image.source, block.pos.file, block.pos.line, state.project(), state.doc.meta.allow_remote
        )
        _check_raster(found, block.pos.file, block.pos.line)


#: The checks run on each block, in this order.
CHECKS: tuple[Callable[[Block, _State], None], ...] = (heading_text, unique_ids, links, sizes, images)


def _check_cover(doc: Document, state: _State) -> None:
    """The front matter's cover, as the EPUB writer resolves it, at the line that names it."""
    from .writers.images import resolve_cover

    where = doc.meta.cover_pos
    _check_raster(resolve_cover(doc, state.project()), where.file, where.line or None)


def _check_raster(image: LocalImage, file: str, line: int | None) -> None:
    """A PNG, JPEG, GIF or WebP image must decode as the type its name says, within
    `MAX_IMAGE_PIXELS`. A PNG's chunks are verified (checksums, and its end: a cut file fails);
    the others, whose `verify` checks nothing, are decoded (a JPEG at an eighth of its size)."""
    expected = _PILLOW_FORMATS.get(image.media_type)
    if expected is None:  # SVG: `check_svg` has read it
        return
    from PIL import Image as Pillow
    from PIL import UnidentifiedImageError

    from .writers.images import raster_type

    source = image.source
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow's warnings (a bomb past our own limit…) are ours to say
            with Pillow.open(image.path, formats=list(_PILLOW_FORMATS.values())) as opened:
                found = _SAME_FORMATS.get(opened.format or "", opened.format or "")
                if found != expected:
                    message = _(
                        "image '{source}' is a {found} image under a name that says {expected}; "
                        "rename it to end in {suffix}",
                        source=source,
                        found=found,
                        expected=expected,
                        suffix=_SUFFIXES.get(found, found.lower()),
                    )
                    raise FleuronError(message, file, line)
                width, height = opened.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise FleuronError(_too_large(source, f"{width}×{height}"), file, line)
                if found == "PNG":
                    opened.verify()
                else:
                    if found == "JPEG":
                        opened.draft(None, (1, 1))  # decoded at 1/8: the whole file is read, in little memory
                    opened.load()
    except FleuronError:
        raise
    except Pillow.DecompressionBombError:  # past Pillow's own limit: its size is not known
        raise FleuronError(_too_large(source, ""), file, line) from None
    except UnidentifiedImageError:
        with image.path.open("rb") as head:
            damaged = raster_type(head.read(16)) is not None  # an image's first bytes, then nothing sound
        if damaged:
            message = _(
                "image '{source}' is damaged ({reason}); export it again from an image editor",
                source=source,
                reason="unreadable header",
            )
            raise FleuronError(message, file, line) from None
        message = _(
            "image '{source}' is not a {kind} image (nor any image Fleuron reads); export it again as {kind}",
            source=source,
            kind=expected,
        )
        raise FleuronError(message, file, line) from None
    except Exception as error:  # a decoder given damaged bytes raises about anything
        message = _(
            "image '{source}' is damaged ({reason}); export it again from an image editor",
            source=source,
            reason=str(error) or type(error).__name__,
        )
        raise FleuronError(message, file, line) from None


def _too_large(source: str, size: str) -> str:
    limit = MAX_IMAGE_PIXELS // 1_000_000
    if size:
        template = "image '{source}' is {size} pixels, more than the {limit} million Fleuron accepts; scale it down"
        return _(template, source=source, size=size, limit=limit)
    template = "image '{source}' has more than {limit} million pixels, the most Fleuron accepts; scale it down"
    return _(template, source=source, limit=limit)


_Kind = TypeVar("_Kind", Link, Image)


def _inlines_of(block: Block, kind: type[_Kind]) -> Iterator[_Kind]:
    for run in block_inline_runs(block):
        for inline in iter_inlines(run):
            if isinstance(inline, kind):
                yield inline


def _first_file(doc: Document) -> str:
    return doc.blocks[0].pos.file if doc.blocks else ""


def _where(first: SourcePos, here: SourcePos) -> str:
    """Where `first` is, as seen from `here`: `line 12`, or `other.md:12` in another file."""
    return _("line {line}", line=first.line) if first.file == here.file else f"{first.file}:{first.line}"
