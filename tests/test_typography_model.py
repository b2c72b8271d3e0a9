"""Typography over the model and in every output: runs across emphasis, code and URLs kept,
the same corrected text in the EPUB and the PDF, the proofreader's report, the `typo` filter."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import fleuron as api
from fleuron.model import Code, CodeBlock, Emph, Image, Link, Paragraph, SoftBreak, Span, Strong, Text
from fleuron.walk import block_inline_runs, iter_blocks, iter_inlines, plain_text

from helpers import ARTICLE_MD, Built, Epub, fleuron, pdf_text

NB, NN = "\u00a0", "\u202f"
FR = "---\ntitle: T\nlang: fr\n---\n"


def paragraph(markdown: str) -> tuple[object, ...]:
    (block,) = api.typographize(api.parse(FR + markdown)).blocks
    assert isinstance(block, Paragraph)
    return block.content


def test_a_quotation_closes_after_an_emphasis() -> None:
    assert paragraph('Il a dit "oui, *vraiment*" !') == (
        Text(f"Il a dit «{NN}oui, "),
        Emph((Text("vraiment"),)),
        Text(f"{NN}»{NN}!"),
    )


def test_spaces_land_outside_emphasis() -> None:
    assert paragraph("*Attention* : le *mot* !") == (
        Emph((Text("Attention"),)),
        Text(f"{NB}: le "),
        Emph((Text("mot"),)),
        Text(f"{NN}!"),
    )


def test_code_link_targets_and_image_sources_untouched() -> None:
    content = paragraph(
        'Tapez `a : b` puis [voir "ici"](http://x.org/a--b?q=1 "Un titre : là") ![Un "chat"](c--d.png) !'
    )
    assert content[1] == Code("a : b")
    link = content[3]
    assert isinstance(link, Link)
    assert (link.target, link.title) == ("http://x.org/a--b?q=1", "Un titre : là")
    assert link.content == (Text(f"voir «{NN}ici{NN}»"),)
    image = content[5]
    assert isinstance(image, Image) and image.source == "c--d.png" and image.alt == (Text(f"Un «{NN}chat{NN}»"),)
    assert content[-1] == Text(f"{NN}!")


def test_soft_breaks_are_spaces_and_a_code_block_is_never_touched() -> None:
    doc = api.typographize(api.parse(FR + 'Une ligne\n! suite\net\nfin\n\n```\ncode : "brut" ...\n```\n'))
    para, code = doc.blocks
    assert isinstance(para, Paragraph) and isinstance(code, CodeBlock)
    # The break before `!` became its narrow no-break space; the others stay line breaks.
    assert para.content == (Text(f"Une ligne{NN}! suite"), SoftBreak(), Text("et"), SoftBreak(), Text("fin"))
    assert code.text == 'code : "brut" ...\n'


def test_other_languages_pass_through() -> None:
    doc = api.parse('---\ntitle: T\nlang: en\n---\nHe said "yes" : really !\n')
    assert api.typographize(doc) == doc


def test_metadata_text_is_corrected_too() -> None:
    doc = api.typographize(api.parse('---\ntitle: "Le titre : essai"\nlang: fr\ndescription: Vrai ?\n---\nx\n'))
    assert (doc.meta.title, doc.meta.description) == (f"Le titre{NB}: essai", f"Vrai{NN}?")
    assert doc.meta.slug == "le-titre-essai"


def test_front_matter_options_reach_the_rules() -> None:
    doc = api.typographize(api.parse("---\ntitle: T\nlang: fr-CA\ntypography:\n  compat: true\n---\nOui ! « Non »\n"))
    (para,) = doc.blocks
    assert isinstance(para, Paragraph) and para.content == (Text(f"Oui! «{NB}Non{NB}»"),)


MARKDOWN = st.lists(
    st.sampled_from(
        ["mot", " ", "\n", "*", "**", "`a : b`", '"', "“", "”", "'", ":", ";", "!", "?", "...", " - ", "«", "»",
         "[l](http://x.org/a--b?q=1)", "![i](c--d.png)", "10000", "\n\n", "> ", "- "]
    ),
    max_size=30,
).map("".join)  # fmt: skip


def _verbatim(doc: api.Document) -> list[object]:
    """Code, code blocks, link targets and image sources, in order."""
    found: list[object] = []
    for block in iter_blocks(doc.blocks):
        if isinstance(block, CodeBlock):
            found.append(block.text)
        for run in block_inline_runs(block):
            for inline in iter_inlines(run):
                if isinstance(inline, Code):
                    found.append(inline.text)
                elif isinstance(inline, Link):
                    found.append(inline.target)
                elif isinstance(inline, Image):
                    found.append(inline.source)
    return found


@settings(max_examples=400, deadline=None)
@given(MARKDOWN)
@example("”«[l](http://x.org/a--b?q=1)»«")  # the link's word stays in the link (`make fuzz`)
def test_model_properties(markdown: str) -> None:
    doc = api.parse(FR + markdown)
    once = api.typographize(doc)
    assert api.typographize(once) == once
    assert _verbatim(once) == _verbatim(doc)
    words = lambda d: re.sub(r"\W", "", re.sub(r"<[^>]*>", "", api.to_xhtml(d)))  # noqa: E731
    assert words(once) == words(doc)
    assert _words_in_markup(once) == _words_in_markup(doc)


def _words_in_markup(doc: api.Document) -> list[str]:
    """The word characters inside each link, emphasis or span, in order: none moves in or out."""
    found = []
    for block in iter_blocks(doc.blocks):
        for run in block_inline_runs(block):
            for inline in iter_inlines(run):
                if isinstance(inline, (Link, Emph, Strong, Span)):
                    found.append(re.sub(r"\W", "", plain_text(inline.content)))
    return found


# --- In the outputs ----------------------------------------------------------------------------


def _assert_french_text(text: str) -> None:
    assert not re.search(r" [;:!?]", text), "an ordinary space before high punctuation"
    assert "..." not in text and '"' not in text and "'" not in text
    outside = re.sub(r"«[^«»]*»", "", text)
    assert not re.search("[“”]", outside), "English quotes outside « »"
    for quotation in re.findall(r"«[^«»]*»", text):
        assert quotation.startswith(f"«{NN}") and quotation.endswith(f"{NN}»"), quotation


@pytest.mark.slow
def test_the_epub_text_is_corrected(built: Built) -> None:
    text = Epub(built.epub).text()
    _assert_french_text(text)
    assert f"s’installer{NB}:" in text
    assert text.count("«") == text.count("»") == 19  # the author's 19 quotations


@pytest.mark.slow
def test_the_pdf_has_the_same_corrected_text(built: Built) -> None:
    epub_words = re.findall(r"\S+", Epub(built.epub).text())
    pdf = pdf_text(built.pdf)
    for sample in ("s’installer\u00a0:", f"«{NN}devenir manager{NN}»", f"chose{NN}?{NN}»", "—\u00a0si elle"):
        assert sample in pdf, sample
    assert epub_words


# --- fleuron check and fleuron typo ------------------------------------------------------------


def test_check_lists_the_article_corrections_at_their_place() -> None:
    result = fleuron("check", "manuscript/")
    assert result.returncode == 0, result.stderr
    lines = ARTICLE_MD.read_text(encoding="utf-8").split("\n")
    report = result.stdout.splitlines()
    spacing = [r for r in report if " R8 " in r]
    quotes = [r for r in report if " R5 " in r]
    assert len(spacing) == 47 and len(quotes) == 19
    for row in spacing:
        line, column = re.match(r"manuscript/article\.md:(\d+):(\d+): ", row).groups()  # type: ignore[union-attr]
        source_line = lines[int(line) - 1]
        assert source_line[int(column) - 1] == " " and source_line[int(column)] in ":;!?", row
    for row in quotes:
        line, column = map(int, re.match(r"[^:]+:(\d+):(\d+): ", row).groups())  # type: ignore[union-attr]
        assert lines[line - 1][column - 1] == "“", row
    assert "R8 high punctuation: 47" in report and "R5 double quotes: 19" in report


def test_check_strict_fails_when_something_would_change_and_changes_nothing(tmp_path: Path) -> None:
    source = tmp_path / "livre.md"
    source.write_text(FR + "Bonjour !\n", encoding="utf-8")
    before = source.read_bytes()
    result = fleuron("check", "--strict", str(source))
    assert result.returncode == 1
    assert f'{source}:5:8: R8 high punctuation: "Bonjour !" → "Bonjour{{NN}}!"' in result.stdout
    assert source.read_bytes() == before
    source.write_text(FR + f"Bonjour{NN}!\n", encoding="utf-8")
    clean = fleuron("check", "--strict", str(source))
    assert clean.returncode == 0 and clean.stdout.strip() == "0 corrections"


def test_typo_filter() -> None:
    import subprocess
    import sys

    def typo(text: str, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "fleuron", "typo", *args], input=text.encode(), capture_output=True
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.decode()

    assert (
        typo('Il a dit "oui" !\r\nÀ 12 h 30 : fin...\n')
        == f"Il a dit «{NN}oui{NN}»{NN}!\r\nÀ 12{NN}h{NN}30{NB}: fin…\n"
    )
    assert typo("Quoi ? Oui !\n", "--lang", "fr-CA") == "Quoi? Oui!\n"
    assert typo('He said "yes" !\n', "--lang", "en") == 'He said "yes" !\n'


# --- HTML written as text (`raw_html: escape`) ------------------------------------------------


ESCAPE = "---\ntitle: T\nlang: fr\nraw_html: escape\n---\n"


def test_tags_shown_as_text_are_left_as_written() -> None:
    """Under `raw_html: escape` a manuscript's tags are text; typography leaves them as typed,
    quotes and spaces included, and corrects the prose around them."""
    markdown = 'Voir <img src="x" onerror="alert(1)"> ici, <b class="a b">gras</b> : "oui" !\n\n<div title=\'l\'>\n'
    doc = api.typographize(api.parse(ESCAPE + markdown))
    para, block = doc.blocks
    assert isinstance(para, Paragraph) and isinstance(block, Paragraph)
    assert para.content == (
        Text(f'Voir <img src="x" onerror="alert(1)"> ici, <b class="a b">gras</b>{NB}: «{NN}oui{NN}»{NN}!'),
    )
    assert block.content == (Text("<div title='l'>"),)
    assert '&lt;img src="x" onerror="alert(1)"&gt; ici' in api.to_xhtml(doc)


def test_a_tag_across_an_emphasis_is_left_as_written() -> None:
    (block,) = api.typographize(api.parse(ESCAPE + 'Un <a title="*x* ; y"> !')).blocks
    assert isinstance(block, Paragraph)
    assert block.content == (
        Text('Un <a title="'),
        Emph((Text("x"),)),
        Text(f' ; y">{NN}!'),
    )
