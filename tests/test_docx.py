"""Word (.docx) manuscripts, written in each test by pandoc (tests/office.py) and, for what
pandoc cannot write, by a minimal edit of pandoc's own XML: read into the model, imported as
Markdown, built as an EPUB that EPUBCheck accepts; what cannot come across is said once per
kind; bad files are one-line errors."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from fleuron.errors import FleuronError
from fleuron.model import BlockQuote, FootnoteDef, Heading, Image, Paragraph
from fleuron.readers import find_manuscript, load
from fleuron.readers.docx import read_docx
from fleuron.walk import block_inline_runs, iter_blocks, plain_text

from helpers import Epub, epubcheck, fleuron
from office import BODY, OUTLINE, assert_comes_across, edit_part, make, markdown_words, red_square


@pytest.fixture(scope="module")
def pandoc_docx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make(tmp_path_factory.mktemp("pandoc"), ".docx")


@pytest.fixture
def docx(pandoc_docx: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "livre.docx"
    shutil.copy(pandoc_docx, copy)
    return copy


def test_everything_pandoc_writes_comes_across(docx: Path) -> None:
    assert_comes_across(load(docx))


def outline(path: Path) -> list[tuple[int, str]]:
    return [(b.level, plain_text(b.content)) for b in load(path).blocks if isinstance(b, Heading)]


def _rename_ids(prefix: str) -> object:
    return lambda xml: re.sub(r'"Heading(\d)"', rf'"{prefix}\1"', xml)


@pytest.mark.parametrize(
    ("styles_change", "expected"),
    [
        # French Word: localized ids, the built-in names and outline levels kept.
        (lambda xml: re.sub(r'"Heading(\d)"', r'"Titre\1"', xml), OUTLINE),
        # The same without outline levels: the built-in name alone says "heading N".
        (lambda xml: re.sub(r"<w:outlineLvl [^>]*/>", "", re.sub(r'"Heading(\d)"', r'"Titre\1"', xml)), OUTLINE),
        # German ids and names that are no built-in name: the outline level says it.
        (
            lambda xml: re.sub(
                r'w:val="heading (\d)"', r'w:val="Überschrift \1"', re.sub(r'"Heading(\d)"', r'"Überschrift\1"', xml)
            ),
            OUTLINE,
        ),
        # An id that reads "Heading1" on a style that is no heading: never a heading.
        (
            lambda xml: re.sub(r"<w:outlineLvl [^>]*/>", "", re.sub(r'w:val="heading (\d)"', r'w:val="Corps \1"', xml)),
            [],
        ),
    ],
    ids=["french-ids", "french-ids-no-outline", "german-custom-names", "id-only"],
)
def test_headings_come_from_outline_levels_and_style_names_never_from_style_ids(
    docx: Path, styles_change: object, expected: list[tuple[int, str]]
) -> None:
    assert callable(styles_change)
    edit_part(docx, "word/styles.xml", styles_change)
    if "Titre" in styles_change('"Heading1"') or "Über" in styles_change('"Heading1"'):
        edit_part(docx, "word/document.xml", styles_change)
        assert b"Heading1" not in zipfile.ZipFile(docx).read("word/document.xml")
    assert outline(docx) == expected
    assert markdown_words(BODY) == [w for w in _words(load(docx)) if w]


def _words(doc: object) -> list[str]:
    from office import body_words

    assert hasattr(doc, "blocks")
    return body_words(doc)  # type: ignore[arg-type]


#: What pandoc cannot write, added to its document.xml: breaks, fields, a comment, tracked
#: changes, an endnote and a no-break hyphen.
_DROPPED = """\
<w:p><w:r><w:t>Avant la pause.</w:t></w:r><w:r><w:br w:type="page"/></w:r><w:r><w:t>Après la pause.</w:t></w:r></w:p>
<w:p><w:pPr><w:pageBreakBefore/></w:pPr><w:r><w:t>Nouvelle page.</w:t></w:r></w:p>
<w:p><w:pPr><w:sectPr/></w:pPr><w:r><w:t>Fin de section.</w:t></w:r></w:p>
<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r>\
<w:instrText xml:space="preserve"> TOC \\o "1-3" \\h </w:instrText></w:r>\
<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>Sommaire fantôme</w:t></w:r></w:p>
<w:p><w:r><w:t>Entrée fantôme</w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r>\
<w:r><w:instrText xml:space="preserve"> PAGEREF _Toc1 \\h </w:instrText></w:r><w:r>\
<w:fldChar w:fldCharType="separate"/></w:r>\
<w:r><w:t>2</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>
<w:p><w:r><w:t xml:space="preserve">Page </w:t></w:r><w:fldSimple w:instr=" PAGE "><w:r><w:t>7</w:t></w:r>\
</w:fldSimple>\
<w:r><w:t xml:space="preserve"> et le </w:t></w:r><w:fldSimple w:instr=" DATE \\@ &quot;d MMMM yyyy&quot; ">\
<w:r><w:t>15 mars 2024</w:t></w:r>\
</w:fldSimple><w:r><w:t xml:space="preserve">, voir </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r>\
<w:r><w:instrText xml:space="preserve"> HYPERLINK "https://example.com/champ" </w:instrText></w:r>\
<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>le site</w:t></w:r><w:r>\
<w:fldChar w:fldCharType="end"/></w:r>\
<w:r><w:t>.</w:t></w:r></w:p>
<w:p><w:commentRangeStart w:id="5"/><w:r><w:t>Texte commenté.</w:t></w:r><w:commentRangeEnd w:id="5"/>\
<w:r><w:commentReference w:id="5"/></w:r></w:p>
<w:p><w:r><w:t xml:space="preserve">Une phrase </w:t></w:r>\
<w:ins w:id="6" w:author="A" w:date="2024-01-01T00:00:00Z">\
<w:r><w:t>ajoutée</w:t></w:r></w:ins><w:del w:id="7" w:author="A" w:date="2024-01-01T00:00:00Z"><w:r>\
<w:delText>retirée</w:delText></w:r></w:del><w:r><w:t xml:space="preserve"> ici, une porte</w:t></w:r><w:r>\
<w:noBreakHyphen/></w:r>\
<w:r><w:t>fenêtre et une note de fin</w:t></w:r><w:r><w:endnoteReference w:id="1"/></w:r><w:r><w:t>.</w:t></w:r></w:p>
"""
_KEPT_WORDS = (
    "Avant la pause Après la pause Nouvelle page Fin de section Page et le 15 mars 2024 voir le site "
    "Texte commenté Une phrase ajoutée ici une porte fenêtre et une note de fin"
).split()
_ENDNOTES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<w:endnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    '<w:endnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:endnote>'
    '<w:endnote w:id="1"><w:p><w:r><w:endnoteRef/></w:r><w:r>'
    '<w:t xml:space="preserve"> La note de fin.</w:t></w:r></w:p>'
    "</w:endnote></w:endnotes>"
)
_COMMENTS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<w:comments xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    '<w:comment w:id="5" w:author="B"><w:p><w:r><w:t>Un commentaire secret.</w:t></w:r></w:p></w:comment></w:comments>'
)


def with_what_goes(docx: Path) -> None:
    edit_part(docx, "word/document.xml", lambda xml: xml.replace("<w:sectPr>", _DROPPED + "<w:sectPr>", 1))
    edit_part(
        docx,
        "word/_rels/document.xml.rels",
        lambda xml: xml.replace(
            "</Relationships>",
            '<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/endnotes" '
            'Id="rIdEnd" Target="endnotes.xml"/></Relationships>',
        ),
        add={"word/endnotes.xml": _ENDNOTES, "word/comments.xml": _COMMENTS},
    )
    edit_part(
        docx,
        "[Content_Types].xml",
        lambda xml: xml.replace(
            "</Types>",
            '<Override PartName="/word/endnotes.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.endnotes+xml"/></Types>',
        ),
    )


def test_what_cannot_come_across_goes_with_one_warning_line_each(docx: Path, tmp_path: Path) -> None:
    with_what_goes(docx)
    doc = load(docx)
    words = _words(doc)
    assert words == markdown_words(BODY) + _KEPT_WORDS
    text = " ".join(plain_text(r) for b in iter_blocks(doc.blocks) for r in block_inline_runs(b))
    for gone in ("fantôme", "retirée", "secret", " 7 "):
        assert gone not in text
    assert "porte\u2011fenêtre" in text
    notes = [
        " ".join(plain_text(r) for x in b.blocks for r in block_inline_runs(x))
        for b in doc.blocks
        if isinstance(b, FootnoteDef)
    ]
    assert notes[-1] == "La note de fin."
    assert ("https://example.com/champ", "le site") in {
        (i.target, plain_text(i.content)) for b in iter_blocks(doc.blocks) for r in block_inline_runs(b)
        for i in r if hasattr(i, "target")
    }  # fmt: skip

    result = fleuron("build", str(docx), "-o", str(tmp_path / "dist"), "--format", "epub",
                     env={"XDG_CACHE_HOME": str(tmp_path / "cache")})  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if "livre.docx: " in line]
    for expected in (
        "livre.docx: 2 page breaks dropped",
        "livre.docx: 1 section break dropped",
        "livre.docx: 2 fields dropped (TOC, PAGE)",
        "livre.docx: 1 comment dropped",
        "livre.docx: 2 tracked changes accepted",
    ):
        assert len([line for line in lines if expected in line]) == 1, (expected, result.stderr)


# --- Bad files ------------------------------------------------------------------------------


def _bomb(path: Path) -> None:
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bomb,
        bomb.open("word/document.xml", "w", force_zip64=True) as member,
    ):
        for _ in range(300):
            member.write(b"\0" * 1_000_000)


@pytest.mark.parametrize(
    ("make_file", "message"),
    [
        (lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600), "Word 97-2003 document (.doc)"),
        (
            lambda p: p.write_bytes(
                b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 80 + "EncryptedPackage".encode("utf-16-le")
            ),
            "protected by a password",
        ),
        (lambda p: p.write_bytes(b"PK\x03\x04" + b"\x14" * 200), "damaged"),
        (_bomb, "zip bomb"),
        (lambda p: p.write_text("Bonjour, ceci est du texte.\n", encoding="utf-8"), "it holds plain text"),
        (lambda p: p.write_bytes(b""), "it is empty"),
    ],
    ids=["doc", "encrypted", "corrupt-zip", "zip-bomb", "renamed-text", "empty"],
)
@pytest.mark.parametrize("command", ["build", "import"])
def test_a_bad_file_is_a_one_line_error(tmp_path: Path, make_file: object, message: str, command: str) -> None:
    assert callable(make_file)
    path = tmp_path / "livre.docx"
    make_file(path)
    args = ["-o", str(tmp_path / "out")] if command == "build" else []
    result = fleuron(command, str(path), *args, env={"XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert "livre.docx" in line and message in line, line
    assert not (tmp_path / "livre.md").exists() and not (tmp_path / "out").exists()


def test_a_damaged_part_is_an_error_naming_the_file(docx: Path) -> None:
    edit_part(docx, "word/document.xml", lambda xml: xml[: len(xml) // 2])
    with pytest.raises(FleuronError, match="damaged") as raised:
        load(docx)
    assert raised.value.file == str(docx)


def test_a_path_out_of_the_package_is_never_followed(docx: Path) -> None:
    edit_part(
        docx, "word/_rels/document.xml.rels", lambda xml: re.sub(r'Target="media/', 'Target="../../../media/', xml)
    )
    doc = load(docx)  # the image's relationship leads out of the package: it is dropped, not read
    assert not [i for b in doc.blocks for r in block_inline_runs(b) for i in r if isinstance(i, Image)]


# --- Import and build -----------------------------------------------------------------------


def test_import_writes_markdown_and_its_images_beside_it(docx: Path) -> None:
    result = fleuron("import", str(docx))
    assert result.returncode == 0, result.stderr
    markdown = docx.with_suffix(".md").read_text(encoding="utf-8")
    assert markdown.startswith("---\n") and "title: Le Livre d’essai" in markdown
    assert "- Marie Curie" in markdown and "date: 2024-03-15" in markdown
    assert "](livre-images/image1.png)" in markdown and "data:" not in markdown
    assert (docx.parent / "livre-images" / "image1.png").read_bytes() == red_square()
    assert markdown_words(markdown) == markdown_words(BODY)
    again = fleuron("import", str(docx))
    assert again.returncode == 1 and "--force" in again.stderr


def test_a_folder_may_hold_a_docx_manuscript(docx: Path) -> None:
    assert find_manuscript(docx.parent) == docx
    (docx.parent / "~$livre.docx").write_bytes(b"\0" * 162)  # Word's lock file, while it has the file open
    assert find_manuscript(docx.parent) == docx


@pytest.mark.slow
def test_a_docx_builds_to_an_epub_epubcheck_accepts_with_french_typography(docx: Path, tmp_path: Path) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    with_what_goes(docx)
    builds = []
    for out in ("a", "b"):
        result = fleuron("build", str(docx), "-o", str(tmp_path / out), "--format", "epub", env=env)
        assert result.returncode == 0, result.stderr
        builds.append((tmp_path / out / "le-livre-dessai.epub").read_bytes())
    assert builds[0] == builds[1]  # reproducible
    epub = tmp_path / "a" / "le-livre-dessai.epub"
    assert epubcheck(epub) == []
    text = Epub(epub).text()
    assert "Vraiment\u202f!" in text  # the French rules ran over the Word text
    with zipfile.ZipFile(epub) as book:
        assert red_square() in [book.read(n) for n in book.namelist() if "/images/" in n]
    # The imported Markdown builds as well.
    assert fleuron("import", str(docx)).returncode == 0
    result = fleuron("build", str(docx.with_suffix(".md")), "-o", str(tmp_path / "md"), "--format", "epub", env=env)
    assert result.returncode == 0, result.stderr
    assert epubcheck(tmp_path / "md" / "le-livre-dessai.epub") == []


# --- The import never loses a word ----------------------------------------------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp")), max_size=30)
_RUN = st.tuples(_TEXT, st.booleans(), st.booleans(), st.sampled_from(["", "superscript", "subscript"]))


def _docx_of(paragraphs: list[list[tuple[str, bool, bool, str]]], path: Path) -> None:
    """A minimal package built in the test: one paragraph per list, one run per tuple."""
    w = f"{{{_W}}}"
    document = etree.Element(f"{w}document", nsmap={"w": _W})
    body = etree.SubElement(document, f"{w}body")
    for runs in paragraphs:
        p = etree.SubElement(body, f"{w}p")
        for text, italic, bold, align in runs:
            r = etree.SubElement(p, f"{w}r")
            rpr = etree.SubElement(r, f"{w}rPr")
            if italic:
                etree.SubElement(rpr, f"{w}i")
            if bold:
                etree.SubElement(rpr, f"{w}b")
            if align:
                etree.SubElement(rpr, f"{w}vertAlign").set(f"{w}val", align)
            t = etree.SubElement(r, f"{w}t")
            t.text = text
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("word/document.xml", etree.tostring(document, xml_declaration=True, encoding="UTF-8"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(_RUN, max_size=6), min_size=1, max_size=6))
def test_reading_never_loses_a_word(tmp_path: Path, paragraphs: list[list[tuple[str, bool, bool, str]]]) -> None:
    path = tmp_path / "propriete.docx"
    _docx_of(paragraphs, path)
    doc = read_docx(path, {"lang": "fr", "title": "Essai"})
    expected = re.findall(r"\w+", " ".join("".join(text for text, *_ in runs) for runs in paragraphs))
    text = " ".join(plain_text(r) for b in iter_blocks(doc.blocks) for r in block_inline_runs(b))
    assert re.findall(r"\w+", text) == expected
    assert all(isinstance(b, (Paragraph, BlockQuote)) for b in doc.blocks)
