"""Arbitrary text through the readers, the typography and the XHTML writer: nothing but a
`FleuronError` ever comes out, the XHTML is always well-formed, and typography loses no word.

Thousands of examples in all, within about a minute on two cores (`deadline=None`: a slow
example is not a failure; a hang would be, and the suite's timeout catches it)."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree

from fleuron import FleuronError
from fleuron.model import Document, TypographyOptions
from fleuron.readers.markdown import read_markdown
from fleuron.readers.plaintext import read_plaintext
from fleuron.typography import typographize
from fleuron.typography.fr import typographize_text
from fleuron.walk import block_inline_runs, iter_blocks, plain_text
from fleuron.writers.xhtml import EPUB_NS, XHTML_NS, to_xhtml

#: Markup characters of Markdown and HTML, typography's characters, spaces and controls,
#: letters of several scripts; no surrogates (a manuscript is UTF-8 text).
MARKUP = "*_[]()<>!#`>-+|\\~&;:\"'.,=/{}^$@%?"
TYPO = "«»‹›“”‘’…–—\u00a0\u202f\u2009\u2011°€%"
ALPHABET = st.one_of(
    st.sampled_from(list(MARKUP + TYPO + " \t\n\r\x00\x0b\x0c\x1f\x7f\u200b\u00ad\ufeff\u2028\ufffe")),
    st.characters(blacklist_categories=["Cs"]),
    st.sampled_from(list("aeéçoOÀ0123456789")),
)
TEXT = st.text(ALPHABET, max_size=300)
LINES = st.lists(
    st.one_of(
        TEXT,
        st.sampled_from(
            [
                "# Titre",
                "## Partie",
                "> cite",
                "- item",
                "1. un",
                "```",
                "---",
                "| a | b |",
                "|---|---|",
                "[^1]: note",
                "Texte[^1] et ^[en ligne]",
                "<div>",
                "</div>",
                "<span>x</span>",
                "    code",
            ]
        ),
    ),
    max_size=12,
).map("\n".join)
SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}


def parse_fragment(fragment: str) -> etree._Element:
    return etree.fromstring(f'<div xmlns="{XHTML_NS}" xmlns:epub="{EPUB_NS}">{fragment}</div>'.encode())


def assert_clean_refusal(error: FleuronError, file: str, source: str) -> None:
    """A refusal is a clean `FleuronError` at a position of the file: its name, a line of it, and
    what to do (never an internal error dressed as one, without a place to look at)."""
    lines = len(source.splitlines()) or 1
    assert error.file == file and error.line is not None, f"no position: {error!r} ({error})"
    assert 1 <= error.line <= lines + 1 and error.message.strip(), str(error)
    assert str(error).startswith(f"{file}:{error.line}: "), str(error)


def check(doc: Document) -> None:
    """The document, typographized or not, writes as well-formed XHTML."""
    for version in (doc, typographize(doc)):
        parse_fragment(to_xhtml(version))


@settings(max_examples=3000, **SETTINGS)
@given(LINES)
@example("*" * 300 + "a" + "*" * 300)
@example("<" * 50 + "script>")
@example("\x00<b>\ufffe</b>")
@example("> " * 40 + "cité trop profond")  # refused: nested too deep
@example("a " + "*a " * 40 + "b" + "*" * 40)  # refused: emphasis nested too deep
def test_markdown_reader_and_writer(text: str) -> None:
    source = "---\nlang: fr\n---\n" + text
    try:
        doc = read_markdown(source, "fuzz.md")
    except FleuronError as error:
        assert_clean_refusal(error, "fuzz.md", source)
        return
    check(doc)


@settings(max_examples=1500, **SETTINGS)
@given(LINES)
@example("<table><tr><td>a<caption>b</caption></table>")
@example("<span><p>x</p></span> <a href='javascript:x'>y</a>")
def test_markdown_reader_with_sanitized_html(text: str) -> None:
    source = "---\nlang: fr\nraw_html: sanitize\n---\n" + text
    try:
        doc = read_markdown(source, "fuzz.md")
    except FleuronError as error:
        assert_clean_refusal(error, "fuzz.md", source)
        return
    check(doc)
    fragment = to_xhtml(doc)
    root = parse_fragment(fragment)
    for element in root.iter():
        assert etree.QName(element).localname not in ("script", "iframe", "style", "object", "embed", "img")
        assert not any(str(name).lower().startswith("on") for name in element.attrib)


@settings(max_examples=2000, **SETTINGS)
@given(LINES)
def test_plaintext_reader(text: str) -> None:
    try:
        doc = read_plaintext(text, "fuzz.txt", lang="fr")
    except FleuronError as error:
        assert_clean_refusal(error, "fuzz.txt", text)
        return
    check(doc)


def alphanumerics(text: str) -> str:
    return re.sub(r"\W", "", text)


@settings(max_examples=4000, **SETTINGS)
@given(TEXT, st.booleans(), st.sampled_from(["fr-FR", "fr-CA", "fr-CH"]))
def test_typography_loses_no_word(text: str, compat: bool, locale: str) -> None:
    out = typographize_text(text, TypographyOptions(compat=compat, locale=locale))
    assert alphanumerics(out) == alphanumerics(text)


@settings(max_examples=1500, **SETTINGS)
@given(LINES)
def test_typography_over_the_model_loses_no_word(text: str) -> None:
    source = "---\nlang: fr\n---\n" + text
    try:
        doc = read_markdown(source, "fuzz.md")
    except FleuronError as error:
        assert_clean_refusal(error, "fuzz.md", source)
        return

    def words(document: Document) -> list[str]:
        return [
            alphanumerics(plain_text(run)) for block in iter_blocks(document.blocks) for run in block_inline_runs(block)
        ]

    assert words(typographize(doc)) == words(doc)
