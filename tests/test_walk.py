"""The one traversal: passes given to it never see code."""

from __future__ import annotations

import dataclasses

import fleuron
from fleuron.model import Block, Code, CodeBlock, Emph, Inline, Link, Note, Strong, Text
from fleuron.walk import block_inline_runs, iter_blocks, iter_inlines, map_inline_runs, plain_text

SAMPLE = """# Titre *x*

Un `code` et *du **texte***.

```
bloc de code
```

- item `a`

| t | `u` |
|---|---|
| v | w |

[^n]: note `z`

Appel[^n] ^[en ligne]
"""


def shout(run: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """A pass sees a whole run; this one upper-cases its text at any depth."""
    return tuple(_shout(inline) for inline in run)


def _shout(inline: Inline) -> Inline:
    if isinstance(inline, Text):
        return Text(inline.text.upper())
    if isinstance(inline, (Emph, Strong, Link, Note)):
        return dataclasses.replace(inline, content=shout(inline.content))
    return inline


def test_map_inline_runs_never_touches_code() -> None:
    doc = fleuron.parse(SAMPLE)
    changed = map_inline_runs(doc, shout)
    codes = lambda d: [i for b in iter_blocks(d.blocks) for i in _inlines(b) if isinstance(i, Code)]  # noqa: E731
    code_blocks = lambda d: [b for b in iter_blocks(d.blocks) if isinstance(b, CodeBlock)]  # noqa: E731
    assert codes(changed) == codes(doc) == [Code("code"), Code("a"), Code("u"), Code("z")]
    assert code_blocks(changed) == code_blocks(doc)
    html = fleuron.to_xhtml(changed)
    for word in ("TITRE", "TEXTE", "ITEM", "NOTE", "APPEL", "EN LIGNE"):
        assert word in html
    assert "bloc de code" in html


def _inlines(block: Block) -> list[Inline]:
    return [i for run in block_inline_runs(block) for i in iter_inlines(run)]


def test_plain_text() -> None:
    (heading, para, *_rest) = fleuron.parse(SAMPLE).blocks
    assert plain_text(heading.content) == "Titre x"  # type: ignore[union-attr]
    assert plain_text(para.content) == "Un code et du texte."  # type: ignore[union-attr]
