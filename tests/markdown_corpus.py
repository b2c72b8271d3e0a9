"""Markdown documents covering every CommonMark construct (the spec's 652 examples), tables
(markdown-it's fixtures) and footnotes (ours), and the reference HTML markdown-it renders."""

from __future__ import annotations

import json
from functools import cache

from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

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
    plain = MarkdownIt("commonmark", {"html": False}).enable("table").use(footnote_plugin)
    with_front_matter = MarkdownIt("commonmark", {"html": False}).enable("table").use(front_matter_plugin)
    return with_front_matter.use(footnote_plugin), plain


def reference_html(markdown: str) -> str:
    """markdown-it-py's own HTML, raw HTML off (Fleuron escapes it), footnotes at the end.

    A `---` block opening the text is front matter only when it reads as `key: value` lines.
    """
    with_front_matter, plain = _renderers()
    tokens = with_front_matter.parse(markdown)
    if tokens and tokens[0].type == "front_matter" and not is_front_matter(tokens[0].content):
        return plain.render(markdown)
    return with_front_matter.render(markdown)
