"""What the Word (`docx.py`) and OpenDocument (`odt.py`) readers share: the package opened
safely, its XML parsed without entities or network, the inline runs both build, lists nested
from their levels, the book's metadata, and one warning line per kind of thing that cannot
come across.

A package is a zip file: it is refused before anything is decompressed when it declares too
many parts, too many bytes, or a compression ratio no document has (a zip bomb); parts are read
by their names inside the package only (a name with `..` or a leading `/` is refused). An
OLE compound file (Word 97's `.doc`, or a password-protected `.docx`, which Office stores as an
`EncryptedPackage` stream in one) is recognised and named. Images come out as `data:` URLs of
the package's own bytes: the model holds everything, and nothing is read from outside.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import posixpath
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from lxml import etree

from ..errors import FleuronError
from ..messages import _
from ..model import (
    Alignment,
    Block,
    BulletList,
    Document,
    Emph,
    HardBreak,
    Heading,
    Inline,
    Link,
    ListItem,
    OrderedList,
    SourcePos,
    Strong,
    Styled,
    Table,
    Text,
)
from ..walk import block_inline_runs, iter_blocks, merge_texts, plain_text

log = logging.getLogger("fleuron")

#: A package file larger than this is refused: its text would be far past what Fleuron lays
#: out (`source.MAX_MANUSCRIPT_BYTES`), its images past what a book needs.
MAX_PACKAGE_BYTES = 100_000_000
#: At most this many parts (a novel from Word has about 20; with images, some hundreds).
MAX_PARTS = 10_000
#: The parts' declared sizes together: a 5 MB text is about 50 MB of Word's XML.
MAX_UNCOMPRESSED_BYTES = 300_000_000
#: One part: Word's XML for the longest manuscript Fleuron lays out, or a large image.
MAX_PART_BYTES = 100_000_000
#: Past 1 MB, a part that says it inflates more than this is a zip bomb: Word's and
#: LibreOffice's XML deflates 5 to 30 times, images hardly at all.
MAX_RATIO = 200
_RATIO_FROM = 1_000_000

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")

_XML_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
)


class Package:
    """A zip package's parts, read on demand within the limits above."""

    def __init__(self, path: Path, kind: str) -> None:
        #: The file, as given: every error and warning names it.
        self.name = str(path)
        self.kind = kind
        data = _read_file(path)
        if data.startswith(OLE_MAGIC):
            if _ENCRYPTED_STREAM in data:
                message = _(
                    "this document is protected by a password: open it in {app}, remove the password "
                    "(File > Info > Protect Document), save it, then try again",
                    app=_APPS[kind],
                )
                raise FleuronError(message, self.name)
            raise FleuronError(_(_OLD_FORMAT[kind]), self.name)
        if not data.startswith(b"PK"):
            raise FleuronError(_(_NOT_A_PACKAGE[kind], what=_what_it_is(data)), self.name)
        import io

        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, ValueError, EOFError):
            raise FleuronError(_(_DAMAGED, app=_APPS[kind]), self.name) from None
        if len(infos) > MAX_PARTS:
            raise FleuronError(_(_BOMB, detail=_("{count} parts", count=len(infos))), self.name)
        total = sum(info.file_size for info in infos)
        if total > MAX_UNCOMPRESSED_BYTES:
            raise FleuronError(_(_BOMB, detail=_("{size} MB once unpacked", size=total // 1_000_000)), self.name)
        for info in infos:
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > MAX_PART_BYTES or (info.file_size > _RATIO_FROM and ratio > MAX_RATIO):
                detail = _("'{part}' inflates {ratio:.0f} times", part=info.filename[:80], ratio=ratio)
                raise FleuronError(_(_BOMB, detail=detail), self.name)
        self.parts = {info.filename: info for info in infos}

    def has(self, part: str) -> bool:
        return part in self.parts

    def read(self, part: str) -> bytes:
        """A part's bytes; an error for a damaged one (a bad checksum, a cut file)."""
        info = self.parts.get(part)
        if info is None:
            raise FleuronError(_(_DAMAGED, app=_APPS[self.kind]), self.name)
        try:
            with self.zip.open(info) as opened:
                data = opened.read(MAX_PART_BYTES + 1)  # the declared size bounds what zipfile inflates
        except (zipfile.BadZipFile, ValueError, EOFError, NotImplementedError, RuntimeError, OSError):
            raise FleuronError(_(_DAMAGED, app=_APPS[self.kind]), self.name) from None
        if len(data) > MAX_PART_BYTES:
            raise FleuronError(_(_BOMB, detail=part[:80]), self.name)
        return data

    def xml(self, part: str) -> etree._Element:
        """A part parsed as XML: no DTD, no entity, no network; a damaged part is an error."""
        data = self.read(part)
        try:
            root = etree.fromstring(data, _XML_PARSER)
        except etree.XMLSyntaxError:
            raise FleuronError(_(_DAMAGED, app=_APPS[self.kind]), self.name) from None
        if root.getroottree().docinfo.internalDTD is not None:
            raise FleuronError(_(_DAMAGED, app=_APPS[self.kind]), self.name)
        return root

    def xml_if_any(self, part: str) -> etree._Element | None:
        return self.xml(part) if part and self.has(part) else None


def part_path(base: str, target: str) -> str:
    """The part a relationship's `target` names, from the folder of part `base`; "" when it
    would lead out of the package (`../../x`) or is not a part name."""
    joined = target[1:] if target.startswith("/") else posixpath.join(posixpath.dirname(base), target)
    normal = posixpath.normpath(joined)
    if normal.startswith(("../", "/")) or normal in ("..", ".", "") or "\\" in normal:
        return ""
    return normal


_APPS = {"docx": "Word", "odt": "LibreOffice"}
_OLD_FORMAT = {
    "docx": "this is a Word 97-2003 document (.doc), which Fleuron does not read: open it in Word or LibreOffice "
    "and save it as .docx",
    "odt": "this is an old binary document, not OpenDocument: open it in LibreOffice and save it as .odt",
}
_NOT_A_PACKAGE = {
    "docx": "this is not a Word document (.docx): {what}; give a .docx file, or rename the file after what it is",
    "odt": "this is not an OpenDocument text (.odt): {what}; give an .odt file, or rename the file after what it is",
}
_DAMAGED = "the file is damaged (its zip package or XML does not read): open it in {app}, save it again, then retry"
_BOMB = "the file's package is not a document's ({detail}): Fleuron refuses it as a zip bomb"


def _read_file(path: Path) -> bytes:
    try:
        with path.open("rb") as file:
            data = file.read(MAX_PACKAGE_BYTES + 1)
    except OSError as error:
        raise FleuronError(_("cannot read the file: {reason}", reason=error.strerror), str(path)) from None
    if len(data) > MAX_PACKAGE_BYTES:
        message = _("the file is larger than {limit} MB, more than any manuscript", limit=MAX_PACKAGE_BYTES // 10**6)
        raise FleuronError(message, str(path))
    return data


def _what_it_is(data: bytes) -> str:
    head = data[:1024]
    if head.startswith(b"{\\rtf"):
        return _("it is an RTF file (open it in Word or LibreOffice and save it in the right format)")
    if head.startswith(b"%PDF"):
        return _("it is a PDF file")
    if not data.strip():
        return _("it is empty")
    if b"\0" not in head:
        return _("it holds plain text")
    return _("it is not a zip package")


# --- XML helpers ---------------------------------------------------------------------------


def local(element: etree._Element) -> str:
    """An element's name without its namespace ("" for a comment or an instruction)."""
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


# --- What cannot come across ----------------------------------------------------------------

#: Each kind: its singular and plural warnings, in the order they are given.
DROPPED_KINDS: dict[str, tuple[str, str]] = {
    "page break": (
        "{path}: {count} page break dropped (the book makes its own pages)",
        "{path}: {count} page breaks dropped (the book makes its own pages)",
    ),
    "section break": (
        "{path}: {count} section break dropped (the book makes its own pages)",
        "{path}: {count} section breaks dropped (the book makes its own pages)",
    ),
    "field": (
        "{path}: {count} field dropped ({names}): the book makes its own contents and page numbers",
        "{path}: {count} fields dropped ({names}): the book makes its own contents and page numbers",
    ),
    "comment": (
        "{path}: {count} comment dropped",
        "{path}: {count} comments dropped",
    ),
    "tracked change": (
        "{path}: {count} tracked change accepted (insertions kept, deletions dropped): check the text",
        "{path}: {count} tracked changes accepted (insertions kept, deletions dropped): check the text",
    ),
    "image": (
        "{path}: {count} image dropped ({names}): ebooks show PNG, JPEG, GIF and WebP images; "
        "save it as one of those and insert it again",
        "{path}: {count} images dropped ({names}): ebooks show PNG, JPEG, GIF and WebP images; "
        "save them as one of those and insert them again",
    ),
    "object": (
        "{path}: {count} embedded object or chart dropped ({names}): insert it as an image",
        "{path}: {count} embedded objects or charts dropped ({names}): insert them as images",
    ),
}


@dataclass
class Dropped:
    """What a reader left out, counted by kind, for one warning line each."""

    path: str
    counts: Counter[str] = field(default_factory=Counter)
    names: dict[str, list[str]] = field(default_factory=dict)

    def add(self, kind: str, name: str = "", count: int = 1) -> None:
        self.counts[kind] += count
        if name and name not in self.names.setdefault(kind, []):
            self.names[kind].append(name)

    def messages(self) -> list[str]:
        out = []
        for kind, (one, many) in DROPPED_KINDS.items():
            count = self.counts[kind]
            if count:
                names = ", ".join(self.names.get(kind, [])) or "?"
                out.append(_(one if count == 1 else many, path=self.path, count=count, names=names))
        return out

    def warn(self) -> None:
        for message in self.messages():
            log.warning(message)


# --- Inline runs -----------------------------------------------------------------------------

#: From the outermost to the innermost: how styled text nests in the model.
STYLES = ("strong", "emph", "smallcaps", "superscript", "subscript")


@dataclass(frozen=True)
class Piece:
    inline: Inline
    styles: frozenset[str] = frozenset()
    link: str = ""


class Runs:
    """A paragraph's content as it is read, piece by piece, each with its styles and link;
    `inlines()` nests them into the model (`Strong(Emph(...))`), with the spaces at the edges
    of a styled run left outside it, as Markdown needs them."""

    def __init__(self) -> None:
        self.pieces: list[Piece] = []

    def text(self, text: str, styles: Iterable[str] = (), link: str = "") -> None:
        if not text:
            return
        styles = frozenset(styles)
        if styles:
            core = text.strip()
            if not core:
                self.pieces.append(Piece(Text(text), frozenset(), link))
                return
            start = text.index(core[0])
            end = start + len(core)
            if start:
                self.pieces.append(Piece(Text(text[:start]), frozenset(), link))
            self.pieces.append(Piece(Text(core), styles, link))
            if text[end:]:
                self.pieces.append(Piece(Text(text[end:]), frozenset(), link))
            return
        self.pieces.append(Piece(Text(text), styles, link))

    def atom(self, inline: Inline, styles: Iterable[str] = (), link: str = "") -> None:
        self.pieces.append(Piece(inline, frozenset(styles), link))

    def inlines(self) -> tuple[Inline, ...]:
        pieces = _strip_ends(self.pieces)
        out: list[Inline] = []
        i = 0
        while i < len(pieces):
            j = i
            while j < len(pieces) and pieces[j].link == pieces[i].link:
                j += 1
            inner = _nest(pieces[i:j], 0)
            out += [Link(tuple(inner), pieces[i].link)] if pieces[i].link else inner
            i = j
        return merge_texts(out)


def _nest(pieces: Sequence[Piece], level: int) -> list[Inline]:
    if level == len(STYLES):
        return list(merge_texts(p.inline for p in pieces))
    style = STYLES[level]
    out: list[Inline] = []
    i = 0
    while i < len(pieces):
        inside = style in pieces[i].styles
        j = i
        while j < len(pieces) and (style in pieces[j].styles) == inside:
            j += 1
        inner = tuple(_nest(pieces[i:j], level + 1))
        out += [_wrap(style, inner)] if inside else inner
        i = j
    return out


def _wrap(style: str, content: tuple[Inline, ...]) -> Inline:
    if style == "strong":
        return Strong(content)
    if style == "emph":
        return Emph(content)
    if style == "smallcaps":
        return Styled("smallcaps", content)
    return Styled("superscript" if style == "superscript" else "subscript", content)


def _strip_ends(pieces: list[Piece]) -> list[Piece]:
    """Without the ordinary spaces and line breaks a paragraph starts or ends with (no-break
    spaces stay: they are the author's)."""
    pieces = list(pieces)
    for index, strip in ((0, str.lstrip), (-1, str.rstrip)):
        while pieces:
            piece = pieces[index]
            if isinstance(piece.inline, HardBreak):
                pieces.pop(index)
                continue
            if isinstance(piece.inline, Text):
                text = strip(piece.inline.text, " \t\r\n")
                if not text:
                    pieces.pop(index)
                    continue
                pieces[index] = Piece(Text(text), piece.styles, piece.link)
            break
    return pieces


def joined_with_breaks(runs: Sequence[tuple[Inline, ...]]) -> tuple[Inline, ...]:
    """Several paragraphs' runs as one (a table cell's), a line break between them."""
    out: list[Inline] = []
    for run in runs:
        if not run:
            continue
        if out:
            out.append(HardBreak())
        out += run
    return tuple(out)


def table_of_rows(rows: Sequence[tuple[tuple[Inline, ...], ...]], pos: SourcePos) -> Table | None:
    """A table of rows as read (short rows padded with empty cells), the first row its header;
    None when there is no row. Word and LibreOffice keep no column alignment of their own."""
    if not rows:
        return None
    width = max(len(row) for row in rows)
    padded = [row + ((),) * (width - len(row)) for row in rows]
    default: Alignment = "default"
    aligns = (default,) * width
    return Table(aligns, padded[0], tuple(padded[1:]), pos=pos)


# --- Lists -----------------------------------------------------------------------------------


@dataclass
class ListEntry:
    """One list paragraph as read: its depth (0 for the outermost), whether it is numbered and
    with which number, and its blocks (the paragraph, then what continues the item)."""

    level: int
    ordered: bool
    number: int
    blocks: list[Block]


def nest_lists(entries: Sequence[ListEntry]) -> list[Block]:
    """Consecutive list paragraphs as nested lists: a deeper entry goes inside the item
    before it; a change between bullets and numbers at one level starts a new list."""
    out: list[Block] = []
    i = 0
    while i < len(entries):
        block, i = _build_list(entries, i, entries[i].level)
        out.append(block)
    return out


def _build_list(entries: Sequence[ListEntry], i: int, level: int) -> tuple[Block, int]:
    ordered, start = entries[i].ordered, entries[i].number
    items: list[list[Block]] = []
    while i < len(entries) and entries[i].level >= level:
        entry = entries[i]
        if entry.level == level or not items:
            if entry.level == level and items and entry.ordered != ordered:
                break
            if entry.level > level:  # a list that starts deeper than it goes on
                sub, i = _build_list(entries, i, entry.level)
                items.append([sub])
                continue
            items.append(list(entry.blocks))
            i += 1
        else:
            sub, i = _build_list(entries, i, entry.level)
            items[-1].append(sub)
    list_items = tuple(ListItem(tuple(blocks)) for blocks in items)
    tight = all(len(blocks) <= 2 for blocks in items)
    if ordered:
        return OrderedList(list_items, start=max(start, 0), tight=tight), i
    return BulletList(list_items, tight=tight), i


# --- Images ----------------------------------------------------------------------------------


def image_url(data: bytes) -> str | None:
    """A `data:` URL of a raster image's bytes, or None for a type ebooks do not show."""
    from ..writers.images import raster_type

    kind = raster_type(data)
    if kind is None:
        return None
    return f"data:{kind[0]};base64,{base64.b64encode(data).decode('ascii')}"


# --- Metadata --------------------------------------------------------------------------------


@dataclass
class Properties:
    """The book's description, as the package's properties and its Title, Subtitle, Author
    and Date paragraphs give it."""

    title: str = ""
    subtitle: str = ""
    authors: list[str] = field(default_factory=list)
    lang: str = ""
    date: str = ""
    description: str = ""
    keywords: list[str] = field(default_factory=list)

    def front_matter(self) -> dict[str, Any]:
        """What a front matter would say, each value checked (a bad language or date from a
        document's properties is left out, not an error: the author did not type them)."""
        data: dict[str, Any] = {}
        if self.title.strip():
            data["title"] = self.title.strip()
        if self.subtitle.strip():
            data["subtitle"] = self.subtitle.strip()
        authors = list(dict.fromkeys(a.strip() for a in self.authors if a.strip()))
        if authors:
            data["author"] = authors
        lang = self.lang.strip().replace("_", "-")
        if re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", lang):
            data["lang"] = lang
        day = parse_date(self.date)
        if day is not None:
            data["date"] = day
        if self.description.strip():
            data["description"] = self.description.strip()
        keywords = list(dict.fromkeys(k.strip() for k in self.keywords if k.strip()))
        if keywords:
            data["keywords"] = keywords
        return data

    def add_paragraph(self, kind: str, content: tuple[Inline, ...]) -> None:
        """A Title, Subtitle, Author or Date paragraph (`kind`), or any other kind as a
        paragraph of the abstract: a title on two paragraphs is one title."""
        text = plain_text(content).strip()
        if kind == "title":
            self.title = f"{self.title} {text}".strip()
        elif kind == "subtitle":
            self.subtitle = f"{self.subtitle} {text}".strip()
        elif kind == "author":
            self.authors.append(text)
        elif kind == "date":
            self.date = self.date or text
        else:
            self.description = f"{self.description}\n\n{text}".strip()

    def add_custom(self, name: str, value: str) -> None:
        """A property the author defined (Word's custom properties, LibreOffice's user-defined
        ones): `subtitle` and `date` are read, whatever their case."""
        name = name.strip().lower()
        if name == "subtitle" and not self.subtitle:
            self.subtitle = value
        elif name == "date" and value:
            self.date = value


def parse_date(text: str) -> dt.date | None:
    """`2024-03-15`, `2024-03-15T10:00:00Z`: the day; anything else, None."""
    match = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", text or "")
    if not match:
        return None
    try:
        day = dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None
    return day if day.year >= 1000 else None


class PackageReader(Protocol):
    """What `read_package` asks of a format's reader."""

    dropped: Dropped

    def body(self) -> tuple[Block, ...]: ...

    def properties(self) -> Properties: ...


def read_package(
    path: Path | str, kind: str, reader: Callable[[Package], PackageReader], defaults: Mapping[str, Any] | None
) -> Document:
    """A Word or OpenDocument file as the model: its body first (its Title, Author… paragraphs
    add to the properties), then its properties, then `document`."""
    package = Package(Path(path), kind)
    found = reader(package)
    blocks = found.body()
    return document(found.properties(), blocks, package.name, defaults, found.dropped)


def document(
    properties: Properties,
    blocks: tuple[Block, ...],
    path: str,
    defaults: Mapping[str, Any] | None,
    dropped: Dropped,
) -> Document:
    """The model: the metadata checked as a front matter would be (`fleuron.toml`'s defaults
    for what the document does not say), then a warning for each kind of thing left out."""
    from .metadata import metadata_from
    from .plaintext import guess_language

    data = properties.front_matter()
    if "title" not in data:
        title = next((plain_text(b.content) for b in blocks if isinstance(b, Heading) and b.level == 1), "")
        title = title or Path(path).stem
        log.warning(
            _(
                "{path}: no title in the document's properties nor a Title paragraph; using {title!r}",
                path=path,
                title=title,
            )
        )
        data["title"] = title
    if "lang" not in data and not (defaults or {}).get("lang"):
        text = " ".join(plain_text(run) for block in iter_blocks(blocks) for run in block_inline_runs(block))
        data["lang"], reason = guess_language(text)
        log.warning(_("{path}: the document does not say its language; {reason}", path=path, reason=reason))
    meta = metadata_from(data, {}, path, 0, blocks, defaults)
    dropped.warn()
    return Document(meta, blocks)
