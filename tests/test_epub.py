"""Model -> EPUB 3, read back as a reading system and EPUBCheck read it."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from pathlib import Path

import pytest

import fleuron as api
from fleuron import FleuronError

from helpers import (
    ARTICLE_MD,
    NS,
    ROOT,
    Built,
    Epub,
    article_outline,
    assert_words_in_order,
    epubcheck,
    fleuron,
    new_project,
    png,
)

FRONT = (
    "---\ntitle: Essai\nlang: fr\ndate: 2024-02-29\nidentifier: urn:uuid:00000000-0000-4000-8000-000000000001\n---\n"
)


@pytest.mark.slow
def test_article_passes_epubcheck_without_any_warning(built: Built) -> None:
    assert epubcheck(built.epub) == []


@pytest.mark.slow
def test_epubcheck_catches_a_broken_book(tmp_path: Path, built: Built) -> None:
    # The check above could only pass silently if EPUBCheck reported nothing at all: break a book.
    broken = tmp_path / "broken.epub"
    with zipfile.ZipFile(built.epub) as source, zipfile.ZipFile(broken, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith("part-01.xhtml"):
                data = data.replace(b'id="le-dilemme', b'id="1le-dilemme')
            target.writestr(info, data)
    assert any(message.startswith("ERROR") for message in epubcheck(broken))


@pytest.mark.slow
def test_every_word_of_the_article_in_order(built: Built, article_words: list[str]) -> None:
    assert_words_in_order(article_words, Epub(built.epub).text())


@pytest.mark.slow
def test_package_metadata(built: Built) -> None:
    book = Epub(built.epub)
    meta = api.load(ARTICLE_MD).meta
    assert book.opf.get("version") == "3.0"
    unique = book.opf.get("unique-identifier")
    (identifier,) = book.opf.xpath(f"//dc:identifier[@id='{unique}']/text()", namespaces=NS)
    assert identifier == meta.identifier
    assert book.opf.xpath("//dc:language/text()", namespaces=NS) == ["fr"]
    assert book.opf.xpath("//dc:title/text()", namespaces=NS) == [meta.title]
    assert book.opf.xpath("//opf:meta[@property='dcterms:modified']/text()", namespaces=NS) == ["2026-11-26T00:00:00Z"]
    assert book.opf.xpath("//dc:creator", namespaces=NS) == []  # no author is invented
    assert book.opf.xpath("//opf:spine/@toc", namespaces=NS) == ["ncx"]


@pytest.mark.slow
def test_one_chapter_per_part_each_titled_and_marked_french(built: Built) -> None:
    book = Epub(built.epub)
    paths = [p for p in book.spine_paths() if p.endswith("opening.xhtml") or "/part-" in p]
    assert len(paths) == 1 + article_outline().parts  # the opening, then the parts
    titles = []
    for path in paths:
        doc = book.xml(path)
        assert doc.get("lang") == "fr" and doc.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
        titles.append(doc.xpath("string(//x:head/x:title)", namespaces=NS))
        assert doc.xpath("//x:link[@rel='stylesheet']/@href", namespaces=NS) == ["../style/epub.css"]
    assert titles[0] == "Du technicien au leader"
    assert [t.split(".")[0] for t in titles[1:]] == ["1", "2", "3", "4"]
    first_part = book.xml(paths[1])
    assert first_part.xpath("//x:h2/@id", namespaces=NS) == ["le-dilemme-silencieux-des-ingenieurs-en-evolution"]


@pytest.mark.slow
def test_navigation_nav_and_ncx(built: Built) -> None:
    book = Epub(built.epub)
    nav = book.nav()
    top = nav.xpath("//x:nav[@epub:type='toc']/x:ol/x:li", namespaces=NS)
    outline = article_outline()
    assert len(top) == 1 + outline.parts  # the opening, then the parts
    nested = nav.xpath("//x:nav[@epub:type='toc']/x:ol/x:li/x:ol/x:li/x:a", namespaces=NS)
    assert len(nested) == outline.subheadings  # every sub-heading, under its part (or under the opening)
    for href in nav.xpath("//x:nav//x:a/@href", namespaces=NS):
        path, _, anchor = href.partition("#")
        target = book.xml(book.base + path)
        assert not anchor or target.xpath(f"//*[@id='{anchor}']"), href
    ncx_item = [i for i in book.manifest().values() if i.get("media-type") == "application/x-dtbncx+xml"]
    ncx = book.xml(book.base + ncx_item[0].get("href"))
    assert len(ncx.xpath("//ncx:navMap/ncx:navPoint", namespaces=NS)) == 1 + outline.parts


@pytest.mark.slow
def test_zip_layout_is_reproducible(built: Built, tmp_path: Path) -> None:
    with zipfile.ZipFile(built.epub) as book:
        first = book.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert book.read("mimetype") == b"application/epub+zip"
        assert {info.date_time for info in book.infolist()} == {(2026, 11, 26, 0, 0, 0)}
    again = tmp_path / "again"
    result = fleuron("build", str(ARTICLE_MD), "-o", str(again), "--format", "epub", env=_env(TZ="Pacific/Kiritimati"))
    assert result.returncode == 0, result.stderr
    assert (again / built.epub.name).read_bytes() == built.epub.read_bytes()


def _env(**extra: str) -> dict[str, str]:
    import os

    return {**os.environ, **extra}


@pytest.mark.slow
def test_every_construct_packs_into_a_valid_epub(tmp_path: Path) -> None:
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "chat.png").write_bytes(png())
    source = tmp_path / "livre.md"
    source.write_text(
        FRONT + "Avant[^a] tout ^[en ligne], voir [la suite](#suite).\n\n"
        "![Un *chat*](img/chat.png)\n\n# Un\n\nTexte[^a] et `code`.\n\n> cité\n\n1. un\n2. deux\n\n"
        "## Suite\n\n| a | b |\n|:-|-:|\n| 1 | 2 |\n\n```sh\necho <ok>\n```\n\n---\n\n"
        "Du <b>brut</b>[^b].\n\n[^a]: La note A.\n[^b]: La note B, avec une liste :\n\n    - x\n    - y\n",
        encoding="utf-8",
    )
    out = tmp_path / "book.epub"
    api.write_epub(api.load(source), out)
    assert epubcheck(out) == []
    book = Epub(out)
    assert "image/png" in {i.get("media-type") for i in book.manifest().values()}
    text = book.text()
    for expected in ("La note A.", "echo <ok>", "Du brut", "en ligne"):
        assert expected in text
    assert "<b>" not in text  # raw HTML is read for its meaning: bold, not a tag printed


def test_missing_image_is_an_error_at_its_line(tmp_path: Path) -> None:
    source = tmp_path / "livre.md"
    source.write_text(FRONT + "Texte.\n\n![absente](nulle-part.png)\n", encoding="utf-8")
    with pytest.raises(FleuronError, match=r"livre\.md:9: image 'nulle-part\.png' not found"):
        api.write_epub(api.load(source), tmp_path / "x.epub")
    assert not (tmp_path / "x.epub").exists()


def test_remote_image_is_refused(tmp_path: Path) -> None:
    doc = api.parse(FRONT + "![loin](https://example.org/a.png)\n")
    with pytest.raises(FleuronError, match="not a local file"):
        api.write_epub(doc, tmp_path / "x.epub")


# --- Accessibility, navigation, cover (EPUB Accessibility 1.1) ---------------------------------

ROLES = {
    "chapter": "doc-chapter",
    "noteref": "doc-noteref",
    "endnotes": "doc-endnotes",
    "cover": "doc-cover",
    "pagebreak": "doc-pagebreak",
    "toc": "doc-toc",
    "page-list": "doc-pagelist",
}


@pytest.mark.slow
def test_accessibility_metadata(built: Built) -> None:
    book = Epub(built.epub)
    assert book.opf.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"

    def values(name: str) -> list[str]:
        return list(book.opf.xpath(f"//opf:meta[@property='{name}']/text()", namespaces=NS))

    assert values("schema:accessMode") == ["textual"]
    assert values("schema:accessModeSufficient") == ["textual"]
    assert set(values("schema:accessibilityFeature")) >= {
        "structuralNavigation", "tableOfContents", "readingOrder", "printPageNumbers", "pageNavigation",
    }  # fmt: skip
    assert values("schema:accessibilityHazard") == ["none"]
    (summary,) = values("schema:accessibilitySummary")
    assert "table des matières" in summary
    assert values("dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]
    assert values("a11y:certifiedBy") and values("pageBreakSource")


@pytest.mark.slow
def test_every_epub_type_has_its_role_and_headings_are_in_order(built: Built) -> None:
    book = Epub(built.epub)
    for item in book.manifest().values():
        if item.get("media-type") != "application/xhtml+xml":
            continue
        doc = book.xml(book.base + item.get("href"))
        # Landmarks have no DPUB-ARIA role of their own.
        landmarks = "ancestor-or-self::x:nav[@epub:type='landmarks']"
        for element in doc.xpath(f"//*[@epub:type][not({landmarks})]", namespaces=NS):
            for kind in element.get(f"{{{NS['epub']}}}type").split():
                assert element.get("role") == ROLES[kind], (item.get("href"), kind)
        levels = [int(h.tag[-1]) for h in doc.xpath("//x:h1|//x:h2|//x:h3|//x:h4|//x:h5|//x:h6", namespaces=NS)]
        assert all(b <= a + 1 for a, b in zip([1, *levels], levels, strict=False)), (item.get("href"), levels)


@pytest.mark.slow
def test_landmarks_and_cover(built: Built) -> None:
    book = Epub(built.epub)
    nav = book.nav()
    landmarks = {
        a.get(f"{{{NS['epub']}}}type"): a.get("href")
        for a in nav.xpath("//x:nav[@epub:type='landmarks']//x:a", namespaces=NS)
    }
    assert set(landmarks) == {"cover", "toc", "bodymatter"}
    for href in landmarks.values():
        path, _, anchor = href.partition("#")
        target = book.xml(book.base + path)
        assert not anchor or target.xpath(f"//*[@id='{anchor}']")
    (cover,) = [i for i in book.manifest().values() if "cover-image" in (i.get("properties") or "")]
    data = book.zip.read(book.base + cover.get("href"))
    assert data.startswith(b"\x89PNG") and struct.unpack(">II", data[16:24]) == (1600, 2560)
    assert book.spine_paths()[0] == book.base + landmarks["cover"]
    page = book.xml(book.base + landmarks["cover"])
    assert page.xpath("//x:img/@alt", namespaces=NS) == ["Couverture : Du technicien au leader"]


def test_cover_from_the_front_matter(tmp_path: Path) -> None:
    (tmp_path / "couv.png").write_bytes(png(30, 48))
    source = tmp_path / "livre.md"
    source.write_text(FRONT.replace("---\n", "---\ncover: couv.png\n", 1) + "Texte.\n", encoding="utf-8")
    out = tmp_path / "livre.epub"
    api.write_epub(api.load(source), out)
    book = Epub(out)
    (cover,) = [i for i in book.manifest().values() if "cover-image" in (i.get("properties") or "")]
    assert book.zip.read(book.base + cover.get("href")) == png(30, 48)


def test_the_drawn_cover_is_paper_ink_and_accent(tmp_path: Path) -> None:
    """Without a cover of its own, the book gets one drawn in a palette of three colours."""
    from PIL import Image

    from fleuron import pipeline
    from fleuron.writers import cover, fonts

    face = fonts.find_font_file("LinLibertine_R.otf", fonts.SYSTEM_FONT_DIRS)
    italic = fonts.find_font_file("LinLibertine_RI.otf", fonts.SYSTEM_FONT_DIRS)
    assert face is not None and italic is not None
    doc = pipeline.load(new_project(tmp_path, front="---\ntitle: Un titre\nauthors: [Une Autrice]\nlang: fr\n---\n\n"))
    image = Image.open(io.BytesIO(cover.cover_png(doc.meta, face, italic)))
    assert image.size == (cover.WIDTH, cover.HEIGHT) and image.mode == "P"
    rgb = image.convert("RGB")
    colours = {colour for _, colour in rgb.getcolors(1 << 16) or []}
    assert {cover._PAPER, cover._INK, cover._ACCENT} <= colours
    assert rgb.getpixel((0, 0)) == cover._PAPER
    ink = [x for x in range(cover.WIDTH) if rgb.getpixel((x, int(cover.HEIGHT * 0.72) + 40)) == cover._INK]
    assert ink  # the author's name, across its line


def test_stylesheet_respects_the_reader() -> None:
    css = (ROOT / "styles" / "epub.css").read_text(encoding="utf-8")
    assert not re.search(r"font-size:\s*[\d.]+px", css)
    assert "font-family" not in re.sub(r"(pre|code)[^{]*\{[^}]*\}", "", css)  # no text font imposed
    assert "hyphens: auto" in css


@pytest.mark.slow
def test_embedded_fonts_have_the_narrow_no_break_space(tmp_path: Path) -> None:
    from fontTools.ttLib import TTFont

    source = tmp_path / "livre.md"
    source.write_text(FRONT.replace("---\n", "---\nembed_fonts: true\n", 1) + "Oui\u202f!\n", encoding="utf-8")
    out = tmp_path / "livre.epub"
    api.write_epub(api.load(source), out)
    assert epubcheck(out) == []
    book = Epub(out)
    fonts = [i for i in book.manifest().values() if i.get("media-type", "").startswith("font/")]
    assert fonts
    for item in fonts:
        font = TTFont(io.BytesIO(book.zip.read(book.base + item.get("href"))))
        assert 0x202F in font.getBestCmap()


@pytest.mark.slow
def test_page_list_matches_the_print_edition(built: Built) -> None:
    from pypdf import PdfReader

    book = Epub(built.epub)
    links = book.nav().xpath("//x:nav[@epub:type='page-list']//x:a", namespaces=NS)
    pages = PdfReader(built.pdf).pages
    assert [a.text for a in links] == [str(n) for n in range(1, len(pages) + 1)]
    letters = lambda text: re.sub(r"[\W_]+", "", text)  # noqa: E731
    checked = 0
    for link in links:
        path, _, anchor = link.get("href").partition("#")
        document = book.xml(book.base + path)
        (marker,) = document.xpath(f"//*[@id='{anchor}']", namespaces=NS)
        assert marker.get(f"{{{NS['epub']}}}type") == "pagebreak" and marker.get("aria-label") == link.text
        # The ebook's text after the marker is the text the printed page begins with.
        following = letters("".join(marker.xpath("following::text()")))[:12]
        printed = letters(pages[int(link.text) - 1].extract_text())
        if following and following in printed[:300]:
            checked += 1
    assert checked >= len(pages) // 2, f"only {checked} of {len(pages)} pages begin where the ebook says"
