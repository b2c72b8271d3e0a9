"""Pandoc's Markdown extensions as markdown-it rules, for `readers/markdown.py`.

Each rule is small and named after pandoc's extension: `attributes` (the `{#id .class key=value}`
syntax and where it may follow: headings, bracketed spans, images), `fenced_divs` (`::: classe`),
`line_blocks` (`| ` lines), `page_break` (`\\newpage` alone on a line), `table_captions`
(`Table: légende {#tbl-id}` before or after a table), pandoc-crossref's references (`@fig:id`,
`[@tbl:id]`) and `title_block` (`% Titre` / `% Auteur` / `% Date` opening a file). The rules only
make tokens; the reader turns them into model nodes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.footnote.index import footnote_inline

from ..model import Attr

# --- Attributes -------------------------------------------------------------------------------

_ATTR_ITEM = re.compile(
    r"""\s*(?:
        \#(?P<id>[^\s{}#."'=]+)
      | \.(?P<cls>[^\s{}#."'=]+)
      | (?P<dash>-)(?=[\s}])
      | (?P<key>[A-Za-z_][\w:.-]*)=(?:"(?P<dq>(?:[^"\\]|\\.)*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"'{}]+))
    )""",
    re.VERBOSE | re.DOTALL,
)
_ESCAPED = re.compile(r"\\(.)", re.DOTALL)


def xml_id(name: str) -> str:
    """pandoc-crossref's `fig:phare` as the XML id every output can hold (an XML id has no
    colon): `fig-phare`. Ids and `#` link targets go through it alike, so they still meet."""
    return name.replace(":", "-")


def parse_attributes(text: str, start: int = 0) -> tuple[Attr, int] | None:
    """Pandoc's attributes at `text[start]` (which must be `{`): the `Attr` and the index after
    the closing `}`, or None when it is not such a group (it is then text). `-` stands for
    `.unnumbered`, as in pandoc; a later `#id` replaces an earlier one."""
    if text[start : start + 1] != "{":
        return None
    pos = start + 1
    identifier, classes, pairs = "", list[str](), list[tuple[str, str]]()
    while True:
        close = re.compile(r"\s*\}").match(text, pos)
        if close:
            return Attr(identifier, tuple(classes), tuple(pairs)), close.end()
        item = _ATTR_ITEM.match(text, pos)
        if item is None or item.end() == pos:
            return None
        if item["id"]:
            identifier = xml_id(item["id"])
        elif item["cls"]:
            classes.append(item["cls"])
        elif item["dash"]:
            classes.append("unnumbered")
        else:
            value = item["bare"] if item["bare"] is not None else item["sq"]
            if item["dq"] is not None:
                value = _ESCAPED.sub(r"\1", item["dq"])
            pairs.append((item["key"], value or ""))
        pos = item.end()
        if pos < len(text) and not text[pos].isspace() and text[pos] != "}":
            return None  # `.a.b` or `#x.y`: items are separated by spaces


#: `{…}` closing a heading's line, after a space (a `\{` is text).
_HEADING_ATTRIBUTES = re.compile(r"(?:^|[ \t])(\{[^{}\n]*\})[ \t]*$")


def heading_attributes(state: StateCore) -> None:
    """`# Titre {#id .unnumbered}`: the group leaves the heading's text for `heading_open.meta["attr"]`."""
    tokens = state.tokens
    for i, token in enumerate(tokens[:-1]):
        if token.type != "heading_open" or tokens[i + 1].type != "inline":
            continue
        inline = tokens[i + 1]
        found = _HEADING_ATTRIBUTES.search(inline.content)
        if found is None:
            continue
        parsed = parse_attributes(found[1])
        if parsed is None or parsed[1] != len(found[1]):
            continue
        token.meta["attr"] = parsed[0]
        token.attrs.update(html_attributes(parsed[0]))
        inline.content = inline.content[: found.start(1)].rstrip(" \t")


def bracketed_span(state: StateInline, silent: bool) -> bool:
    """`[texte]{.smallcaps}`: a span, when the brackets are followed at once by attributes."""
    if state.src[state.pos] != "[":
        return False
    # Spans and links nest inside a span (`[a [b]{.c}]{.d}`), as in pandoc.
    label_end = state.md.helpers.parseLinkLabel(state, state.pos, False)
    if label_end < 0 or state.src[label_end + 1 : label_end + 2] != "{":
        return False
    parsed = parse_attributes(state.src[: state.posMax], label_end + 1)
    if parsed is None:
        return False
    attr, end = parsed
    if not silent:
        start, maximum = state.pos, state.posMax
        token = state.push("span_open", "span", 1)
        token.meta["attr"], token.attrs = attr, html_attributes(attr)
        state.pos, state.posMax = start + 1, label_end
        state.md.inline.tokenize(state)
        state.posMax = maximum
        state.push("span_close", "span", -1)
    state.pos = end
    return True


def image_attributes(state: StateInline, silent: bool) -> bool:
    """`![a](x.png){width=50%}`: attributes right after an image are the image's."""
    if state.pending or not state.tokens or state.tokens[-1].type != "image" or state.src[state.pos] != "{":
        return False
    parsed = parse_attributes(state.src[: state.posMax], state.pos)
    if parsed is None:
        return False
    if not silent:
        state.tokens[-1].meta["attr"] = parsed[0]
    state.pos = parsed[1]
    return True


def html_attributes(attr: Attr) -> dict[str, str | int | float]:
    """The id and classes as markdown-it's own renderer writes them (tests compare with it)."""
    out: dict[str, str | int | float] = {"id": attr.identifier} if attr.identifier else {}
    if attr.classes:
        out["class"] = " ".join(attr.classes)
    return out


# --- Blocks -----------------------------------------------------------------------------------

# A bare class is what a `.class` in braces may be: the writer writes it back in braces.
_DIV_OPEN = re.compile(r"""(:{3,})[ \t]*(\{[^\n]*\}|[^\s{}:#."'=]+)[ \t]*:*[ \t]*$""")
_DIV_CLOSE = re.compile(r":{3,}[ \t]*$")
_CODE_FENCE = re.compile(r"(`{3,}|~{3,})")


def _line(state: StateBlock, line: int) -> str:
    return state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]


def _div_attributes(text: str) -> Attr | None:
    opening = _DIV_OPEN.match(text)
    if opening is None:
        return None
    if not opening[2].startswith("{"):
        return Attr(classes=(opening[2],))
    parsed = parse_attributes(opening[2])
    return parsed[0] if parsed is not None and parsed[1] == len(opening[2]) else None


def fenced_div(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """`::: classe` or `::: {#id .classe}`, blocks, then `:::`. A fence with attributes opens,
    one without closes (so divs nest with fences of any length, as in pandoc); a div left
    open ends with the container holding it."""
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    attr = _div_attributes(_line(state, start_line))
    if attr is None:
        return False
    if silent:
        return True
    depth, line, fence = 1, start_line, ""
    closed = False
    while True:
        line += 1
        if line >= end_line:
            break
        text = _line(state, line)
        if text and state.sCount[line] < state.blkIndent:
            break  # the list item or quote holding the div ends
        if state.sCount[line] - state.blkIndent >= 4:
            continue
        if fence:  # a `:::` line in fenced code is code
            if text.startswith(fence) and not text.strip(fence[0]).strip():
                fence = ""
            continue
        code = _CODE_FENCE.match(text)
        if code:
            fence = code[1]
        elif _DIV_CLOSE.match(text):
            depth -= 1
            if depth == 0:
                closed = True
                break
        elif _div_attributes(text) is not None:
            depth += 1
    old_parent, old_max = state.parentType, state.lineMax
    state.parentType = "fenced_div"
    state.lineMax = line
    token = state.push("div_open", "div", 1)
    token.meta["attr"], token.attrs = attr, html_attributes(attr)
    token.map = [start_line, line]
    token.block = True
    state.md.block.tokenize(state, start_line + 1, line)
    state.push("div_close", "div", -1).block = True
    state.parentType, state.lineMax = old_parent, old_max
    state.line = line + (1 if closed else 0)
    return True


_LINE_BLOCK = re.compile(r"\|(?: |$)")


def line_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """`| ` lines: each kept as a line; its leading spaces kept as no-break spaces (as pandoc
    does); a line starting with a space continues the one above."""
    if state.sCount[start_line] - state.blkIndent >= 4 or not _LINE_BLOCK.match(_line(state, start_line)):
        return False
    if silent:
        return True
    lines: list[tuple[int, str]] = []
    line = start_line
    while line < end_line:
        text = _line(state, line)
        if not text or state.sCount[line] < state.blkIndent:
            break
        if _LINE_BLOCK.match(text):
            content = text[2:]
            stripped = content.lstrip(" ")
            lines.append((line, "\u00a0" * (len(content) - len(stripped)) + stripped.rstrip()))
        elif state.sCount[line] > state.blkIndent and lines:
            number, previous = lines[-1]
            lines[-1] = (number, f"{previous} {text.strip()}".strip(" "))
        else:
            break
        line += 1
    token = state.push("line_block_open", "div", 1)
    token.map, token.attrs = [start_line, line], {"class": "line-block"}
    for number, content in lines:
        state.push("line_open", "div", 1).attrs = {"class": "line"}
        inline = state.push("inline", "", 0)
        inline.content, inline.map, inline.children = content, [number, number + 1], []
        state.push("line_close", "div", -1)
    state.push("line_block_close", "div", -1)
    state.line = line
    return True


_PAGE_BREAK = re.compile(r"\\(?:newpage|pagebreak)[ \t]*$")


def page_break(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """`\\newpage` or `\\pagebreak` alone on a line (LaTeX's commands, which pandoc users write)."""
    if state.sCount[start_line] - state.blkIndent >= 4 or not _PAGE_BREAK.match(_line(state, start_line)):
        return False
    if not silent:
        token = state.push("page_break", "div", 0)
        token.map, token.attrs = [start_line, start_line + 1], {"class": "page-break"}
        state.line = start_line + 1
    return True


#: pandoc's caption paragraph: `Table:`, `table:` or a lone `:` (not `::`, not `:)`) before its text.
_CAPTION = re.compile(r"(?:[Tt]able:|:(?![!-/:-@\[-`{-~]))[ \t]*")


def caption_ends_table(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """A caption line right under a pipe table's last row ends the table, as in pandoc (a table
    in a block quote still needs a blank line: the quote's own lines are tested the same way).
    Only a terminator: the line itself is a paragraph, which `table_captions` takes."""
    if not silent or state.parentType == "blockquote" or state.sCount[start_line] - state.blkIndent >= 4:
        return False
    line = _line(state, start_line)
    found = _CAPTION.match(line)
    return found is not None and (line.startswith(("Table:", "table:")) or "|" not in line)


def table_captions(state: StateCore) -> None:
    """`Table: légende {#tbl-id}` in a paragraph of its own just before or after a table (pandoc
    tries before first): its text and attributes go to `table_open.meta["caption"]` and
    `["attr"]`, the paragraph leaves the stream. Runs before the inline rules, which then parse
    the caption's text where it now stands."""
    tokens = state.tokens
    i = 0
    while i < len(tokens):
        if tokens[i].type != "table_open" or "caption" in tokens[i].meta:
            i += 1
            continue
        table = tokens[i]
        end = next(j for j in range(i, len(tokens)) if tokens[j].type == "table_close")
        before = i - 3 if i >= 3 and _is_caption(tokens[i - 3 : i], table.level) else None
        after = end + 1 if before is None and _is_caption(tokens[end + 1 : end + 4], table.level) else None
        start = before if before is not None else after
        if start is None:
            i = end + 1
            continue
        inline = tokens[start + 1]
        text = inline.content[_CAPTION.match(inline.content).end() :]  # type: ignore[union-attr]
        found = _HEADING_ATTRIBUTES.search(text)
        parsed = parse_attributes(found[1]) if found else None
        if found and parsed and parsed[1] == len(found[1]):
            table.meta["attr"] = parsed[0]
            table.attrs.update(html_attributes(parsed[0]))
            text = text[: found.start(1)]
        inline.content, inline.children = text.strip(), []
        state.md.inline.parse(inline.content, state.md, state.env, inline.children)
        table.meta["caption"] = inline
        del tokens[start : start + 3]
        i = end - 2 if before is not None else end + 1


def _is_caption(tokens: Sequence[Token], level: int) -> bool:
    return (
        len(tokens) == 3
        and tokens[0].type == "paragraph_open"
        and tokens[0].level == level
        and _CAPTION.match(tokens[1].content) is not None
    )


#: pandoc-crossref's reference: `@fig:id`, `@tbl:id`, `@sec:id`, alone or in brackets
#: (`[@fig:id]`); the key ends before trailing punctuation, as a pandoc citation's does.
_CROSSREF = re.compile(r"(\[)?@((?:fig|tbl|sec):\w+(?:[.:/-]\w+)*)(?(1)\])")


def crossref(state: StateInline, silent: bool) -> bool:
    """`@fig:phare` or `[@fig:phare]` (pandoc-crossref): a link without text to `#fig:phare`,
    which the writers fill with what it points to. A bare one must not follow a letter or a
    digit (an address is no reference)."""
    found = _CROSSREF.match(state.src, state.pos, state.posMax)
    if found is None or (not found[1] and state.pos > 0 and state.src[state.pos - 1].isalnum()):
        return False
    if not silent:
        token = state.push("link_open", "a", 1)
        token.attrs = {"href": "#" + found[2]}
        token.meta["crossref"] = True
        state.push("link_close", "a", -1)
    state.pos = found.end()
    return True


def note_before_superscript(state: StateInline, silent: bool) -> bool:
    """`^[texte]` is an inline note (as in pandoc), never the start of a superscript."""
    return state.src.startswith("^[", state.pos) and footnote_inline(state, silent)


def pandoc_plugin(md: MarkdownIt) -> None:
    """Every rule above, each where pandoc would try it (a pipe table before a line block, a
    note before a superscript). Used after the footnote and superscript plugins."""
    md.inline.ruler.before("sup", "note_before_superscript", note_before_superscript)
    md.block.ruler.before("fence", "fenced_div", fenced_div, {"alt": ["paragraph", "blockquote", "list"]})
    md.block.ruler.after("table", "line_block", line_block)
    md.block.ruler.before("paragraph", "page_break", page_break, {"alt": ["paragraph"]})
    md.block.ruler.before("paragraph", "caption_ends_table", caption_ends_table, {"alt": ["blockquote"]})
    md.core.ruler.after("block", "table_captions", table_captions)
    md.core.ruler.after("block", "heading_attributes", heading_attributes)
    md.inline.ruler.before("link", "bracketed_span", bracketed_span)
    md.inline.ruler.before("link", "crossref", crossref)
    md.inline.ruler.push("image_attributes", image_attributes)


# --- Title block ------------------------------------------------------------------------------


def title_block(text: str) -> tuple[dict[str, tuple[str, int]], str]:
    """Pandoc's title block: up to three `%` lines opening the file (title, authors separated
    by `;`, date), each continued on lines that start with a space; an empty `%` line skips a
    field. Returns each given field with its line, and the text with those lines left blank
    (so that every other line keeps its number)."""
    lines = text.split("\n")
    if not lines or not lines[0].startswith("%"):
        return {}, text
    fields: list[tuple[str, int]] = []
    end = 0
    while end < len(lines) and len(fields) < 3:
        if lines[end].startswith("%"):
            fields.append((lines[end][1:].strip(), end + 1))
        elif lines[end][:1] in (" ", "\t") and lines[end].strip() and fields:
            value, number = fields[-1]
            fields[-1] = ((value + "\n" + lines[end].strip()).strip(), number)
        else:
            break
        end += 1
    while end < len(lines) and lines[end][:1] in (" ", "\t") and lines[end].strip():
        value, number = fields[-1]  # the date's continuation lines
        fields[-1] = ((value + "\n" + lines[end].strip()).strip(), number)
        end += 1
    found = {name: field for name, field in zip(("title", "author", "date"), fields, strict=False) if field[0]}
    return found, "\n" * end + "\n".join(lines[end:])


def split_authors(value: str) -> list[str]:
    """`Marie Curie; Pierre Curie` -> two authors (pandoc's title block, and Word's and
    LibreOffice's document properties, join them with `;`)."""
    return [name.strip() for name in re.split(r"[;\n]", value) if name.strip()]
