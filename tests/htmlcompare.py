"""Compare two HTML renderings by structure and text, ignoring what does not change meaning:
whitespace between blocks, attribute order, and the anchors and classes each tool names its own way.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

BLOCK_TAGS = (
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre", "hr", "table", "thead",
    "tbody", "tr", "th", "td", "section", "div", "figure", "figcaption", "br", "img",
)  # fmt: skip
# Attributes that carry meaning. Ids and roles are ours to choose (EPUB needs XML-valid ids,
# so `fnref1:1` becomes `fnref1-1`); an href is compared after the same renaming.
MEANINGFUL = ("href", "src", "alt", "title", "start", "style")


def canonical(html: str) -> str:
    root = lxml.html.fragment_fromstring(html or "", create_parent="div")
    parts: list[str] = []
    _visit(root, parts, in_pre=False)
    text = "".join(parts)
    blocks = "|".join(BLOCK_TAGS)
    return re.sub(rf"\s*(</?(?:{blocks})\b[^>]*>)\s*", r"\1", text)


def _visit(element: etree._Element, parts: list[str], in_pre: bool) -> None:
    tag = element.tag if isinstance(element.tag, str) else "#comment"
    in_pre = in_pre or tag == "pre"
    attributes = []
    for name in MEANINGFUL:
        value = element.get(name)
        if value is not None:
            if name == "href":
                value = re.sub(r"^#fnref(\d+):(\d+)$", r"#fnref\1-\2", value)
            attributes.append(f' {name}="{value}"')
    if tag == "code" and element.get("class"):
        attributes.append(f' class="{element.get("class")}"')
    parts.append(f"<{tag}{''.join(attributes)}>")
    parts.append(_text(element.text, in_pre))
    for child in element:
        _visit(child, parts, in_pre)
        parts.append(_text(child.tail, in_pre))
    parts.append(f"</{tag}>")


def _text(text: str | None, in_pre: bool) -> str:
    if not text:
        return ""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped if in_pre else re.sub(r"[ \t\n\r\f]+", " ", escaped)
