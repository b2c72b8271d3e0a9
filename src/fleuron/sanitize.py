"""Raw HTML from a manuscript, made safe to publish (`raw_html: sanitize` in the front matter).

Two steps. nh3 (Ammonia, an HTML5 parser) keeps only the tags and attributes of a short
allow-list, drops `<script>`, `<style>`, `<iframe>` and the like with their content, every
event handler, every URL that is not http, https or mailto, and every style property but a few
that cannot load anything. Then its HTML5 is re-serialized as well-formed XHTML by
`_XhtmlSerializer`, which also enforces what EPUB's schema checks: block elements only where
blocks may stand, table parts only inside their table, nesting at most `MAX_DEPTH` deep.

The reader calls this once; the model's `RawBlock` and `RawInline` then hold the result, which
the writers copy as it is. With the default `raw_html: escape`, nothing here runs.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3

#: Text-level elements: allowed inside a paragraph, a heading, a table cell.
PHRASING_TAGS = frozenset(
    "a abbr b bdi bdo br cite code dfn em i kbd mark q s samp small span strong sub sup u var wbr".split()
)
#: Block elements, allowed in a raw block (a `<div>` on lines of its own) only.
BLOCK_TAGS = frozenset("blockquote div hr p pre table thead tbody tfoot tr th td".split())
#: Dropped with everything inside them (other disallowed tags are dropped, their text kept).
DROPPED_WITH_CONTENT = frozenset(
    "script style iframe frame frameset object embed applet noscript noembed noframes template "
    "svg math textarea select xmp title head".split()
)
#: `style` may only set these: none of them takes a URL.
STYLE_PROPERTIES = frozenset(
    "color background-color font-style font-weight font-variant text-decoration text-transform "
    "text-align letter-spacing vertical-align".split()
)
URL_SCHEMES = frozenset({"http", "https", "mailto"})
#: Deeper markup is flattened (its text kept): layout engines recurse on the tree.
MAX_DEPTH = 32

_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"title", "style"},
    "a": {"href"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}
_VOID = frozenset({"br", "wbr", "hr"})
_PARAGRAPH_LIKE = frozenset({"p", "pre"})  # blocks whose content is phrasing only
_TABLE_PARENTS = {
    "thead": ("table",),
    "tbody": ("table",),
    "tfoot": ("table",),
    "tr": ("table", "thead", "tbody", "tfoot"),
    "td": ("tr",),
    "th": ("tr",),
}
_NUMBER = re.compile(r"[1-9][0-9]{0,2}")
_UNSAFE_STYLE = re.compile(r"url|image|expression|@|\\|/\*|<", re.IGNORECASE)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")


def sanitize_html(html: str, inline: bool = False, in_link: bool = False) -> str:
    """`html` as a well-formed XHTML fragment that only holds allow-listed markup.

    `inline`: the fragment stands inside a paragraph (phrasing elements only); `in_link`: it
    stands inside a link (no link of its own: links do not nest).
    """
    tags = set(PHRASING_TAGS) if inline else set(PHRASING_TAGS | BLOCK_TAGS)
    if in_link:
        tags.discard("a")
    cleaned = nh3.clean(
        _NOT_XML.sub("\ufffd", html),
        tags=tags,
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes=_ATTRIBUTES,
        attribute_filter=_attribute_value,
        strip_comments=True,
        link_rel=None,
        url_schemes=set(URL_SCHEMES),
        url_relative="deny",  # a relative link would point into the package, at nothing
        filter_style_properties=set(STYLE_PROPERTIES),
    )
    serializer = _XhtmlSerializer(inline)
    serializer.feed(cleaned)
    serializer.close()
    return serializer.result()


def _attribute_value(element: str, attribute: str, value: str) -> str | None:
    """Values EPUB's schema would reject are dropped, and styles that could fetch anything."""
    match attribute:
        case "colspan" | "rowspan":
            return value if _NUMBER.fullmatch(value) else None
        case "scope":
            return value if value in ("row", "col", "rowgroup", "colgroup") else None
        case "style":
            return None if _UNSAFE_STYLE.search(value) else value
    return value


class _XhtmlSerializer(HTMLParser):
    """nh3's HTML5 -> XHTML: void elements closed, text and attributes escaped, every element
    closed in order; an element that may not stand where it is loses its tags, not its text."""

    def __init__(self, inline: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.inline = inline
        self.out: list[str] = []
        #: The open elements: (tag, written). An element not written still has its end tag to match.
        self.stack: list[tuple[str, bool]] = []

    def result(self) -> str:
        while self.stack:
            self._pop()
        return "".join(self.out)

    def _written(self) -> list[str]:
        return [tag for tag, written in self.stack if written]

    def _allowed_here(self, tag: str) -> bool:
        open_tags = self._written()
        if len(open_tags) >= MAX_DEPTH:
            return False
        if tag == "a" and "a" in open_tags:
            return False
        if tag in BLOCK_TAGS:
            if self.inline or any(t in PHRASING_TAGS or t in _PARAGRAPH_LIKE for t in open_tags):
                return False
            parents = _TABLE_PARENTS.get(tag)
            parent = open_tags[-1] if open_tags else ""
            if parents is not None:
                return parent in parents
            return parent not in ("table", "thead", "tbody", "tfoot", "tr")  # blocks go in cells
        return not (open_tags and open_tags[-1] in ("table", "thead", "tbody", "tfoot", "tr"))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        written = self._allowed_here(tag)
        if written:
            attributes = "".join(f' {name}="{_escape(value or "", quote=True)}"' for name, value in attrs)
            self.out.append(f"<{tag}{attributes}/>" if tag in _VOID else f"<{tag}{attributes}>")
        if tag not in _VOID:
            self.stack.append((tag, written))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or all(open_tag != tag for open_tag, _ in self.stack):
            return  # nothing to close (nh3's output is balanced; this is only a guard)
        while self.stack:
            if self._pop() == tag:
                return

    def _pop(self) -> str:
        tag, written = self.stack.pop()
        if written:
            self.out.append(f"</{tag}>")
        return tag

    def handle_data(self, data: str) -> None:
        open_tags = self._written()
        parent = open_tags[-1] if open_tags else ""
        if parent in _CELL_WRAPS:
            if not data.strip():
                return
            # Only cells hold text in a table (a dropped <caption> leaves its text there): one more cell.
            opening, closing = _CELL_WRAPS[parent]
            self.out.append(f"{opening}{_escape(data)}{closing}")
            return
        self.out.append(_escape(data))


_CELL_WRAPS = {
    "table": ("<tbody><tr><td>", "</td></tr></tbody>"),
    "thead": ("<tr><td>", "</td></tr>"),
    "tbody": ("<tr><td>", "</td></tr>"),
    "tfoot": ("<tr><td>", "</td></tr>"),
    "tr": ("<td>", "</td>"),
}


def _escape(text: str, quote: bool = False) -> str:
    text = _NOT_XML.sub("\ufffd", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;") if quote else text
