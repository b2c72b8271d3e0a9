"""Markdown documents covering every CommonMark construct (the spec's 652 examples), tables
(markdown-it's fixtures) and footnotes (ours), and the reference HTML markdown-it renders."""

from __future__ import annotations

import json
from functools import cache

from markdown_it import MarkdownIt

from fleuron.readers.markdown import markdown_parser
from fleuron.readers.metadata import is_front_matter

from helpers import DATA


def corpus() -> list[tuple[str, str]]:
    """(name, markdown) pairs."""
    cases = []
    for file, key in (("commonmark-examples.json", "example"), ("table-examples.json", "title"),
                      ("footnote-examples.json", "title")):  # fmt: skip
        for case in json.loads((DATA / file).read_text(encoding="utf-8")):
            cases.append((f"{file.split('-')[0]}: {case[key]}", case["markdown"]))
    return cases


@cache
def _renderers() -> tuple[MarkdownIt, MarkdownIt]:
    # Fleuron's own parser (pandoc's syntax included), raw HTML off: markdown-it renders its tokens.
    with_front_matter, plain = (markdown_parser(front_matter=f, notes_at_end=True) for f in (True, False))
    for md in (with_front_matter, plain):
        md.add_render_rule("page_break", lambda *_: '<div class="page-break"></div>\n')
    return with_front_matter, plain


def reference_html(markdown: str) -> str:
    """markdown-it-py's own HTML of the tokens Fleuron reads, raw HTML off (as under
    `raw_html: escape`), footnotes at the end.

    A `---` block opening the text is front matter only when it reads as `key: value` lines.
    """
    with_front_matter, plain = _renderers()
    tokens = with_front_matter.parse(markdown)
    if tokens and tokens[0].type == "front_matter" and not is_front_matter(tokens[0].content):
        return plain.render(markdown)
    return with_front_matter.render(markdown)
