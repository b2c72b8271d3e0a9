"""The book PDF as a print shop and a reader check it: page boxes, marks, fonts, metadata, tags,
bookmarks, contents, folios, running heads, right-hand openings, hyphenation. Real WeasyPrint
renders, read back with pypdf and poppler's tools."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

import fleuron as api
from fleuron.errors import FleuronError
from fleuron.model import Document, Heading
from fleuron.walk import plain_text
from fleuron.writers import fonts
from fleuron.writers.pdf import PrintOptions, pdf_bytes

from helpers import ARTICLE_MD, MM, Built, article_outline, fleuron, pdf_fonts, pdf_pages, pdf_text, words

pytestmark = pytest.mark.slow  # every test but one reads a PDF WeasyPrint lays out

FAMILY = "Linux-Libertine"  # as pdffonts names the book's faces: Linux-Libertine-O, -Mono-O…
FRONT = "---\ntitle: Essai\nlang: fr\ndate: 2024-02-29\nidentifier: urn:uuid:00000000-0000-4000-8000-000000000001\n"
# Enough text for several pages, with the characters French typography puts in the text.
CHAPTER = (
    "Le\u202fchapitre commence\u00a0: «\u202fune phrase\u202f» de 10\u202f000 mots\u202f; "
    "va-t\u2011il finir\u202f? Oui\u202f! " * 6 + "\n\n"
)


def _book(tmp_path: Path, body: str, front: str = "", options: PrintOptions | None = None) -> Path:
    source = tmp_path / "livre.md"
    source.write_text(FRONT + front + "---\n\n" + body, encoding="utf-8")
    out = tmp_path / "livre.pdf"
    out.write_bytes(pdf_bytes(api.load(source), options))
    return out


def _mm(box: object) -> tuple[float, ...]:
    return tuple(round(float(v) / MM, 1) for v in box)  # type: ignore[attr-defined]


def _size(box: tuple[float, ...]) -> tuple[float, float]:
    return (round(box[2] - box[0], 1), round(box[3] - box[1], 1))


def _parts(doc: Document) -> list[str]:
    return [plain_text(b.content) for b in doc.blocks if isinstance(b, Heading) and b.level == 2]


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def article() -> Document:
    return api.typographize(api.load(ARTICLE_MD))


@pytest.fixture(scope="module")
def pages(built: Built) -> list[str]:
    return pdf_pages(built.pdf)


# --- Page boxes and marks ----------------------------------------------------------------


def test_trim_and_bleed_boxes(built: Built) -> None:
    for page in PdfReader(built.pdf).pages:
        trim, bleed, media = _mm(page.trimbox), _mm(page.bleedbox), _mm(page.mediabox)
        assert _size(trim) == (148.0, 210.0)
        assert _size(media) == (154.0, 216.0)  # the trim and 3 mm of bleed on every side
        assert bleed == media
        assert media[0] == pytest.approx(trim[0] - 3, abs=0.05) and media[3] == pytest.approx(trim[3] + 3, abs=0.05)


def _dark_pixels_outside(pdf: Path, page: int, box_mm: tuple[float, ...], media_mm: tuple[float, ...]) -> int:
    """Dark pixels of a rendered page that lie outside `box_mm` (what crop marks are)."""
    from PIL import Image

    png = subprocess.run(
        ["pdftoppm", "-r", "100", "-f", str(page), "-l", str(page), "-png", str(pdf)], capture_output=True, check=True
    ).stdout
    image = Image.open(io.BytesIO(png)).convert("L")
    scale = image.width / (media_mm[2] - media_mm[0])
    left, right = (box_mm[0] - media_mm[0]) * scale, (box_mm[2] - media_mm[0]) * scale
    top, bottom = (media_mm[3] - box_mm[3]) * scale, (media_mm[3] - box_mm[1]) * scale
    pixels = image.load()
    return sum(
        1
        for y in range(image.height)
        for x in range(image.width)
        if pixels[x, y] < 128 and not (left - 1 <= x <= right + 1 and top - 1 <= y <= bottom + 1)
    )


def test_crop_marks_only_on_demand(tmp_path: Path, built: Built) -> None:
    plain = PdfReader(built.pdf).pages[0]
    assert _dark_pixels_outside(built.pdf, 1, _mm(plain.trimbox), _mm(plain.mediabox)) == 0

    result = fleuron("build", str(ARTICLE_MD), "-o", str(tmp_path), "--format", "pdf", "--marks")
    assert result.returncode == 0, result.stderr
    marked = tmp_path / built.pdf.name
    page = PdfReader(marked).pages[0]
    trim, bleed, media = _mm(page.trimbox), _mm(page.bleedbox), _mm(page.mediabox)
    assert _size(trim) == (148.0, 210.0)
    assert _size(bleed) == (154.0, 216.0)  # the bleed box stays 3 mm around the trim
    assert _size(media) > _size(bleed)  # the marks are drawn outside it
    assert _dark_pixels_outside(marked, 1, bleed, media) > 50
    assert len(PdfReader(marked).pages) == len(PdfReader(built.pdf).pages)


@pytest.mark.parametrize(("front", "flag", "size"), [("trim: 110x178mm\n", None, (110.0, 178.0)),
                                                      ("trim: a5\n", "6x9in", (152.4, 228.6))])  # fmt: skip
def test_other_trims_by_front_matter_or_flag(tmp_path: Path, front: str, flag: str | None, size: tuple) -> None:
    pdf = _book(tmp_path, "## Partie\n\n" + CHAPTER, front, PrintOptions(trim=flag))
    page = PdfReader(pdf).pages[-1]
    assert _size(_mm(page.trimbox)) == size
    assert _size(_mm(page.mediabox)) == (size[0] + 6, size[1] + 6)


def test_unknown_trim_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FleuronError, match=r"unknown trim 'a4'.*a5, 6x9in, 110x178mm"):
        _book(tmp_path, "Texte.\n", "trim: a4\n")


# --- Fonts -------------------------------------------------------------------------------


def _assert_one_family_embedded_and_subset(pdf: Path) -> list[str]:
    found = pdf_fonts(pdf)
    assert found
    for font in found:
        prefix, _, name = font["name"].partition("+")
        assert re.fullmatch("[A-Z]{6}", prefix) and font["sub"] == "yes", font  # subset
        assert font["emb"] == "yes" and font["uni"] == "yes", font
        assert name.startswith(FAMILY), font
    return [font["name"].partition("+")[2] for font in found]


def test_pdffonts_lists_only_the_book_family(built: Built) -> None:
    names = _assert_one_family_embedded_and_subset(built.pdf)
    assert "Linux-Libertine-O" in names and "Linux-Libertine-O-Italic" in names


def test_french_spaces_hyphens_bold_and_code_from_the_family(tmp_path: Path) -> None:
    body = "## Partie\n\n" + CHAPTER + "Du **gras**, de l’*italique*, ***les deux*** et du `code\u202f;`.\n"
    pdf = _book(tmp_path, body)
    names = _assert_one_family_embedded_and_subset(pdf)
    for face in ("Linux-Libertine-O", "Linux-Libertine-O-Italic", "Linux-Libertine-O-Bold",
                 "Linux-Libertine-O-Bold-Italic", "Linux-Libertine-Mono-O"):  # fmt: skip
        assert face in names
    text = pdf_text(pdf)  # pypdf keeps the characters as they are; pdftotext makes spaces plain
    # A set line's inner spaces are no-break ones (`setlines.py`): the thin ones stay as they are.
    assert "«\u202fune phrase\u202f»" in text.replace("\u00a0", " ") and "t\u2011il" in text and "10\u202f000" in text


def _strip(source: Path, target: Path) -> None:
    """A copy of a face without U+202F, U+00A0 and U+2011 (nor the thin space they could borrow)."""
    font = TTFont(source, recalcTimestamp=False)
    for table in font["cmap"].tables:
        for code in (0x202F, 0x00A0, 0x2011, 0x2009):
            table.cmap.pop(code, None)
    font.save(target)


def test_a_face_without_french_spaces_gets_a_derived_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A project's own face lacking them: the build derives, caches and uses a completed copy."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    system = fonts.find_font_file("LinLibertine_R.otf", fonts.SYSTEM_FONT_DIRS)
    assert system is not None
    (tmp_path / "styles" / "fonts").mkdir(parents=True)
    stripped = tmp_path / "styles" / "fonts" / "Stripped.otf"
    _strip(system, stripped)
    (tmp_path / "styles" / "fonts.toml").write_text(
        'family = "Linux Libertine O"\n'
        '[[face]]\nrole = "text"\nweight = 400\nstyle = "normal"\nfile = "Stripped.otf"\n',
        encoding="utf-8",
    )
    for name in ("text.css", "print.css"):  # the project's styles/ replaces Fleuron's: bring the sheets
        (tmp_path / "styles" / name).write_text((ARTICLE_MD.parents[1] / "styles" / name).read_text("utf-8"), "utf-8")
    assert fonts.missing_required(stripped) == [0x00A0, 0x202F, 0x2011]
    (tmp_path / "manuscript").mkdir()
    source = tmp_path / "manuscript" / "livre.md"
    source.write_text(FRONT + "---\n\n" + CHAPTER, encoding="utf-8")
    doc = api.load(source)

    book = fonts.book_fonts(doc)
    (face,) = book.faces
    assert face.source == stripped.resolve() and face.path.parent == tmp_path / "cache" / "fleuron" / "fonts"
    with TTFont(face.path) as derived:
        cmap = derived.getBestCmap()
        assert {0x202F, 0x00A0, 0x2011} <= set(cmap)
        assert derived["hmtx"][cmap[0x202F]][0] < derived["hmtx"][cmap[0x20]][0]  # narrower than a space
    assert fonts.missing_required(face.path) == []
    first = face.path.read_bytes()
    face.path.unlink()
    assert fonts.book_fonts(doc).faces[0].path.read_bytes() == first  # made again, the same bytes

    pdf = tmp_path / "livre.pdf"
    pdf.write_bytes(pdf_bytes(doc))
    _assert_one_family_embedded_and_subset(pdf)  # the one face, upright and slanted: no fallback
    assert "«\u202fune phrase\u202f»" in pdf_text(pdf).replace("\u00a0", " ")  # a set line's spaces
    face.path.unlink()
    assert pdf_bytes(doc) == pdf.read_bytes()  # reproducible, the derived face made anew included


def test_a_character_the_family_lacks_is_reported_at_its_line(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    pdf = _book(tmp_path, "Texte.\n\nUne flèche ↩ et un idéogramme\u202f: 漢.\n")
    messages = [record.getMessage() for record in caplog.records]
    for char in ("'↩' (U+21A9)", "'漢' (U+6F22)"):
        assert any(f"livre.md:10: {char} is not in the book's font Linux Libertine O" in m for m in messages)
    # And what the PDF then holds: another family (a system's fallback), or no glyph at all.
    others = [f["name"] for f in pdf_fonts(pdf) if not f["name"].partition("+")[2].startswith(FAMILY)]
    if others:
        assert any("the PDF uses fonts other than Linux Libertine O" in m for m in messages)
    assert others or any("no font could draw" in m for m in messages)


def test_the_fetcher_refuses_any_other_file(tmp_path: Path) -> None:
    (tmp_path / "styles").mkdir()
    (tmp_path / "styles" / "print.css").write_text('@font-face { font-family: x; src: url("file:///etc/hostname"); }')
    (tmp_path / "manuscript").mkdir()
    source = tmp_path / "manuscript" / "livre.md"
    source.write_text(FRONT + "---\n\nTexte.\n", encoding="utf-8")
    with pytest.raises(FleuronError, match="may only use the manuscript's own files"):
        pdf_bytes(api.load(source))


# --- Metadata, tags, bookmarks -----------------------------------------------------------


def test_metadata_of_a_book_with_author_and_keywords(tmp_path: Path) -> None:
    front = "author: Camille Martin\nkeywords: [leadership, ingénierie]\ndescription: Un essai.\n"
    reader = PdfReader(_book(tmp_path, "Texte.\n", front))
    assert reader.metadata is not None
    assert reader.metadata.title == "Essai"
    assert reader.metadata.author == "Camille Martin"
    assert reader.metadata.subject == "Un essai."
    assert reader.metadata["/Keywords"] == "leadership, ingénierie"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "fr"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert 'pdfuaid:part="1"' in xmp and "Camille Martin" in xmp


def _structure_types(node: object, found: list[str]) -> list[str]:
    node = node.get_object() if hasattr(node, "get_object") else node
    if isinstance(node, dict):
        if "/S" in node:
            found.append(str(node["/S"]))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids]:
            _structure_types(kid, found)
    return found


def test_tagged_for_accessibility(built: Built) -> None:
    root = PdfReader(built.pdf).trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    types = _structure_types(root["/StructTreeRoot"], [])
    assert types.count("/H2") == 1 + article_outline().parts  # the contents' title and the parts
    assert {"/Document", "/H1", "/H3", "/P", "/L", "/LI", "/Link"} <= set(types)


def test_pdf_variant_passes_through(tmp_path: Path) -> None:
    reader = PdfReader(_book(tmp_path, "Texte.\n", options=PrintOptions(variant="pdf/a-3b")))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    assert 'pdfaid:part="3"' in xmp and "/StructTreeRoot" in reader.trailer["/Root"]
    with pytest.raises(FleuronError, match="unknown PDF variant 'pdf/z'"):
        _book(tmp_path, "Texte.\n", options=PrintOptions(variant="pdf/z"))


def test_a_bookmark_per_part_and_heading(built: Built, article: Document) -> None:
    outline = PdfReader(built.pdf).outline
    top = [item.title for item in outline if not isinstance(item, list)]
    nested = [item.title for sub in outline if isinstance(sub, list) for item in sub]
    for part in _parts(article):
        assert part in top
    headings = [plain_text(b.content) for b in article.blocks if isinstance(b, Heading)]
    assert sorted(top + nested) == sorted(["Sommaire", *headings])


# --- Pages: contents, folios, running heads, openings ------------------------------------


def _folio(page: str) -> str:
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    return lines[-1] if lines and lines[-1].isdigit() else ""


def _head(page: str) -> str:
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    return lines[0] if lines else ""


def _opening(pages: list[str], title: str) -> int:
    """The number of the page where a part starts."""
    found = [n for n, page in enumerate(pages, 1) if _squash(page).startswith(_squash(title))]
    assert len(found) == 1, (title, found)
    return found[0]


def test_contents_give_the_page_where_each_part_starts(pages: list[str], article: Document) -> None:
    contents = _squash(pages[2])
    assert contents.startswith("Sommaire")
    for title in _parts(article):
        number = re.search(re.escape(_squash(title)) + r"[ .]*(\d+)", contents)
        assert number, title
        assert int(number[1]) == _opening(pages, title)


def test_folios_count_every_page_and_skip_front_matter_blanks_and_openings(pages: list[str], article: Document) -> None:
    openings = {_opening(pages, title) for title in _parts(article)}
    for number, page in enumerate(pages, 1):
        if number <= 5 or number in openings or not page.strip() or number == len(pages):
            assert _folio(page) == "", number  # front matter, openings (the untitled one too), blanks, colophon
        else:
            assert _folio(page) == str(number)
    assert not pages[3].strip()  # the back of the contents is blank


def test_parts_open_on_right_hand_pages_and_pages_come_in_pairs(pages: list[str], article: Document) -> None:
    for title in _parts(article):
        assert _opening(pages, title) % 2 == 1
    assert len(pages) % 2 == 0
    assert "Composé en Linux Libertine O" in pages[-1]  # the colophon closes the book, on a left page


def test_running_heads(pages: list[str], article: Document) -> None:
    title = article.meta.title
    parts = _parts(article)
    current = title  # the untitled opening text is headed by the book's title
    checked = 0
    for number, page in enumerate(pages, 1):
        starts = [part for part in parts if _squash(page).startswith(_squash(part))]
        if starts:
            current = starts[0]
            assert _head(page) != title
            continue
        if number < 6 or not _folio(page):
            continue
        expected = title if number % 2 == 0 else current
        # Letter-spaced small capitals: pdftotext may see a space after a capital.
        assert re.sub(r"\s", "", _head(page)) == re.sub(r"\s", "", expected), number
        checked += 1
    assert checked > 8


def test_imprint_on_the_back_of_the_title_page(pages: list[str], article: Document) -> None:
    imprint = _squash(pages[1])
    for expected in (article.meta.title, "Tous droits réservés.", article.meta.identifier, "26 novembre 2026"):
        assert expected in imprint


def test_hyphenation_at_work(pages: list[str]) -> None:
    source = ARTICLE_MD.read_text(encoding="utf-8")
    vocabulary = {w.lower() for w in words(source)}
    broken = [
        (m[1], m[2])
        for page in pages
        for m in re.finditer(r"(\w+)[\u2010-]\n\s*(\w+)", page)
        if (m[1] + m[2]).lower() in vocabulary and f"{m[1]}-{m[2]}" not in source
    ]
    assert len(broken) >= 5, broken
