"""OpenDocument (.odt) manuscripts, written in each test by pandoc (tests/office.py); what
pandoc does not write (an image's description, which LibreOffice keeps in `svg:desc`; tracked
changes, comments, fields, a page break, an endnote) is added by a minimal edit of pandoc's
content.xml. Read into the model, imported, built as an EPUB that EPUBCheck accepts."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from fleuron.model import FootnoteDef
from fleuron.readers import find_manuscript, load
from fleuron.walk import block_inline_runs, iter_blocks, plain_text

from helpers import Epub, epubcheck, fleuron
from office import ALT, BODY, assert_comes_across, body_words, edit_part, make, markdown_words, red_square


@pytest.fixture(scope="module")
def pandoc_odt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    odt = make(tmp_path_factory.mktemp("pandoc"), ".odt")
    # LibreOffice keeps an image's description in the frame's svg:desc; pandoc writes none.
    edit_part(odt, "content.xml", lambda xml: xml.replace("<draw:image ", f"<svg:desc>{ALT}</svg:desc><draw:image ", 1))
    return odt


@pytest.fixture
def odt(pandoc_odt: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "livre.odt"
    shutil.copy(pandoc_odt, copy)
    return copy


def test_everything_pandoc_writes_comes_across(odt: Path) -> None:
    assert_comes_across(load(odt))


_STYLE = (
    '<style:style style:name="Saut" style:family="paragraph" style:parent-style-name="Text_20_body">'
    '<style:paragraph-properties fo:break-before="page"/></style:style>'
)
_CHANGES = (
    '<text:tracked-changes><text:changed-region text:id="c1"><text:insertion><office:change-info>'
    "<dc:creator>A</dc:creator><dc:date>2024-01-01T00:00:00</dc:date></office:change-info></text:insertion>"
    '</text:changed-region><text:changed-region text:id="c2"><text:deletion><office:change-info>'
    "<dc:creator>A</dc:creator><dc:date>2024-01-01T00:00:00</dc:date></office:change-info>"
    "<text:p>retirée</text:p></text:deletion></text:changed-region></text:tracked-changes>"
)
_DROPPED = (
    '<text:p text:style-name="Saut">Nouvelle page.</text:p>'
    '<text:table-of-content text:name="Sommaire"><text:index-body><text:p>Sommaire fantôme</text:p>'
    "</text:index-body></text:table-of-content>"
    '<text:p>Page <text:page-number text:select-page="current">7</text:page-number> et le '
    '<text:date text:date-value="2024-03-15">15 mars 2024</text:date>.</text:p>'
    "<text:p><office:annotation><dc:creator>B</dc:creator><text:p>Un commentaire secret.</text:p></office:annotation>"
    "Texte commenté.</text:p>"
    '<text:p>Une phrase <text:change-start text:change-id="c1"/>ajoutée<text:change-end text:change-id="c1"/>'
    '<text:change text:change-id="c2"/> ici, une note de fin<text:note text:id="e1" text:note-class="endnote">'
    "<text:note-citation>i</text:note-citation><text:note-body><text:p>La note de fin.</text:p></text:note-body>"
    "</text:note>.</text:p>"
)
_KEPT_WORDS = "Nouvelle page Page et le 15 mars 2024 Texte commenté Une phrase ajoutée ici une note de fin".split()


def with_what_goes(odt: Path) -> None:
    def change(xml: str) -> str:
        xml = xml.replace("</office:automatic-styles>", _STYLE + "</office:automatic-styles>", 1)
        xml = xml.replace("<office:text>", "<office:text>" + _CHANGES, 1)
        return xml.replace("</office:text>", _DROPPED + "</office:text>", 1)

    edit_part(odt, "content.xml", change)


def test_what_cannot_come_across_goes_with_one_warning_line_each(odt: Path, tmp_path: Path) -> None:
    with_what_goes(odt)
    doc = load(odt)
    assert body_words(doc) == markdown_words(BODY) + _KEPT_WORDS
    text = " ".join(plain_text(r) for b in iter_blocks(doc.blocks) for r in block_inline_runs(b))
    for gone in ("fantôme", "retirée", "secret", " 7 "):
        assert gone not in text
    notes = [
        " ".join(plain_text(r) for x in b.blocks for r in block_inline_runs(x))
        for b in doc.blocks
        if isinstance(b, FootnoteDef)
    ]
    assert notes[-1] == "La note de fin."
    result = fleuron("build", str(odt), "-o", str(tmp_path / "dist"), "--format", "epub",
                     env={"XDG_CACHE_HOME": str(tmp_path / "cache")})  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if "livre.odt: " in line]
    for expected in (
        "livre.odt: 1 page break dropped",
        "livre.odt: 2 fields dropped (TOC, PAGE NUMBER)",
        "livre.odt: 1 comment dropped",
        "livre.odt: 2 tracked changes accepted",
    ):
        assert len([line for line in lines if expected in line]) == 1, (expected, result.stderr)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old binary document"),
        (b"PK\x03\x04" + b"\x14" * 200, "damaged"),
        (b"Du texte.\n", "it holds plain text"),
    ],
    ids=["ole", "corrupt-zip", "renamed-text"],
)
def test_a_bad_file_is_a_one_line_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "livre.odt"
    path.write_bytes(content)
    for command in ("build", "import"):
        result = fleuron(command, str(path), *(["-o", str(tmp_path / "out")] if command == "build" else []))
        assert result.returncode == 1 and "Traceback" not in result.stderr
        (line,) = result.stderr.strip().splitlines()
        assert "livre.odt" in line and message in line, line


def test_a_spreadsheet_renamed_odt_is_refused(odt: Path) -> None:
    edit_part(odt, "mimetype", lambda _text: "application/vnd.oasis.opendocument.spreadsheet")
    result = fleuron("build", str(odt), "-o", str(odt.parent / "out"))
    assert result.returncode == 1 and "opendocument.spreadsheet" in result.stderr


def test_import_writes_markdown_and_its_images_beside_it(odt: Path) -> None:
    assert find_manuscript(odt.parent) == odt
    result = fleuron("import", str(odt), "-o", str(odt.parent / "texte.md"))
    assert result.returncode == 0, result.stderr
    markdown = (odt.parent / "texte.md").read_text(encoding="utf-8")
    assert f"![{ALT}](texte-images/image1.png)" in markdown
    assert (odt.parent / "texte-images" / "image1.png").read_bytes() == red_square()
    assert markdown_words(markdown) == markdown_words(BODY)


@pytest.mark.slow
def test_an_odt_builds_to_an_epub_epubcheck_accepts_with_french_typography(odt: Path, tmp_path: Path) -> None:
    with_what_goes(odt)
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    result = fleuron("build", str(odt), "-o", str(tmp_path / "dist"), "--format", "epub", env=env)
    assert result.returncode == 0, result.stderr
    epub = tmp_path / "dist" / "le-livre-dessai.epub"
    assert epubcheck(epub) == []
    assert "Vraiment\u202f!" in Epub(epub).text()
    with zipfile.ZipFile(epub) as book:
        assert red_square() in [book.read(n) for n in book.namelist() if "/images/" in n]
    assert fleuron("import", str(odt)).returncode == 0
    result = fleuron("build", str(odt.with_suffix(".md")), "-o", str(tmp_path / "md"), "--format", "epub", env=env)
    assert result.returncode == 0, result.stderr
    assert epubcheck(tmp_path / "md" / "le-livre-dessai.epub") == []
