"""Model -> XHTML: the same meaning as markdown-it's own HTML, always well-formed XML."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from lxml import etree

import fleuron
from fleuron.model import Document, Figure, Image, Metadata, Text
from fleuron.readers.markdown import read_markdown
from fleuron.writers.xhtml import XHTML_NS

from helpers import ROOT
from htmlcompare import canonical
from markdown_corpus import corpus, reference_html

CORPUS = corpus()
CASES = ROOT / "tests" / "cases"


def well_formed(fragment: str) -> etree._Element:
    return etree.fromstring(f'<div xmlns="{XHTML_NS}">{fragment}</div>')


def escaped(markdown: str) -> fleuron.Document:
    """The reading markdown-it's renderer is compared with: raw HTML as text."""
    return read_markdown(markdown, defaults={"raw_html": "escape"})


@pytest.mark.parametrize(("name", "markdown"), CORPUS, ids=[name for name, _ in CORPUS])
def test_same_structure_and_text_as_markdown_it(name: str, markdown: str) -> None:
    ours = fleuron.to_xhtml(escaped(markdown))
    well_formed(ours)
    assert canonical(ours) == canonical(reference_html(markdown))


# Markdown-heavy alphabet: emphasis, links, lists, quotes, code, tables, notes, entities.
MARKDOWN_BITS = st.sampled_from(
    ["*", "_", "**", "`", "[", "]", "(", ")", "!", "^", "#", "> ", "- ", "1. ", "|", "---", "\n", "\n\n",
     "    ", " ", "a", "mot", "é", "&amp;", "&#0;", "<b>", "\\", ":", "[^1]", "[^1]: ", "\x01", "\u202f"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(MARKDOWN_BITS, max_size=40).map("".join))
@example("- *---\n*")  # not a front matter: a list item's words (`make fuzz`)
def test_any_markdown_gives_well_formed_xhtml_like_markdown_it(markdown: str) -> None:
    ours = fleuron.to_xhtml(escaped(markdown))
    well_formed(ours)
    # XML cannot carry control characters; we write U+FFFD where markdown-it keeps them.
    reference = "".join("\ufffd" if ord(c) < 32 and c not in "\t\n\r" else c for c in reference_html(markdown))
    assert canonical(ours) == canonical(reference)


@settings(max_examples=300, deadline=None)
@given(st.lists(MARKDOWN_BITS.filter(lambda bit: "<" not in bit), max_size=40).map("".join))
@example("- *---\nmot")  # the default mode's first parse took the item's line for a front matter
def test_without_html_the_default_mode_reads_as_escape_does(markdown: str) -> None:
    """`raw_html: read` (the default) parses once with HTML on; without any tag, what it reads
    must be what `escape` reads, which the test above compares with markdown-it."""
    assert read_markdown(markdown).blocks == escaped(markdown).blocks


def test_figure() -> None:
    figure = Figure(Image((Text("Un chat"),), "chat.png", "T"), (Text("Légende"),))
    doc = Document(Metadata("T", "fr", "urn:x"), (figure,))
    xhtml = fleuron.to_xhtml(doc)
    assert xhtml == '<figure><img src="chat.png" alt="Un chat" title="T" /><figcaption>Légende</figcaption></figure>\n'


def case_dirs() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if p.is_dir())


@pytest.mark.parametrize("case", case_dirs(), ids=lambda p: p.name)
def test_expected_output(case: Path, request: pytest.FixtureRequest) -> None:
    """tests/cases/<name>/: input.md, and the model and XHTML a person has read and approved."""
    import json

    from fleuron.model import to_json

    doc = fleuron.parse((case / "input.md").read_text(encoding="utf-8"))
    actual = {
        "model.json": json.dumps(to_json(doc), ensure_ascii=False, indent=1) + "\n",
        "output.xhtml": fleuron.to_xhtml(doc),
    }
    for name, text in actual.items():
        if request.config.getoption("--update-cases"):
            (case / name).write_text(text, encoding="utf-8")
        assert (case / name).read_text(encoding="utf-8") == text, f"{case.name}/{name} differs (--update-cases)"
