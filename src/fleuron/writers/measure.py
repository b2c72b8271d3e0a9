"""Text widths as the book's layout will draw them: the font files WeasyPrint is given
(`fonts.py`), shaped by HarfBuzz (which WeasyPrint reaches through Pango) with the OpenType
features the stylesheets ask for. A run's width here is Pango's to a few thousandths of a
point, so that a line set by `setlines.py` is the width it was computed at.

Owns: loading the faces for shaping and measuring runs of one style. One `Shaper` per
document (or chapter): its cache lives and dies with it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uharfbuzz as hb

from .fonts import BookFonts


@dataclass(frozen=True)
class Style:
    """What a run of text is set in: a face of the text family (or the mono one), the OpenType
    features on top of HarfBuzz's defaults (kerning, ligatures), and its size in the
    paragraph's ems."""

    weight: int = 400
    italic: bool = False
    mono: bool = False
    features: frozenset[str] = frozenset()
    scale: float = 1.0
    #: Letter spacing (points), which Pango adds after each character.
    tracking: float = 0.0

    def with_features(self, *names: str) -> Style:
        return Style(self.weight, self.italic, self.mono, self.features | set(names), self.scale, self.tracking)

    def tracked(self, tracking: float) -> Style:
        return Style(self.weight, self.italic, self.mono, self.features, self.scale, tracking)


class Shaper:
    """Widths in points of runs of text at a type size, by face, cached by (text, style)."""

    def __init__(self, fonts: BookFonts, size: float, lang: str, features: Mapping[str, int] | None = None) -> None:
        self.size = size
        self.lang = lang
        #: The features every run has, on or off (the stylesheet's `font-variant-numeric`, say).
        self.features = dict(features or {})
        self._faces: dict[tuple[str, int, bool], tuple[Any, int]] = {}
        for face in fonts.faces:
            self._faces[(face.role, face.weight, face.style == "italic")] = _load(face.path)
        self._measures: dict[Style, Callable[[str], float]] = {}

    def has(self, style: Style) -> bool:
        return self._face(style) is not None

    def _face(self, style: Style) -> tuple[Any, int] | None:
        role = "mono" if style.mono else "text"
        return self._faces.get((role, style.weight, style.italic))

    def width(self, text: str, style: Style) -> float:
        return self.measure(style)(text)

    def measure(self, style: Style) -> Callable[[str], float]:
        """The widths of texts in `style`, cached (one style's measure: no style hashed per word)."""
        found = self._measures.get(style)
        if found is not None:
            return found
        face = self._face(style)
        if face is None:
            raise KeyError(style)
        font, upem = face
        features = {**self.features, **dict.fromkeys(style.features, 1)}
        scale = self.size * style.scale / upem
        cache: dict[str, float] = {"": 0.0}

        def width(text: str) -> float:
            found = cache.get(text)
            if found is None:
                buffer = hb.Buffer()
                buffer.add_str(text)
                buffer.guess_segment_properties()
                buffer.language = self.lang
                hb.shape(font, buffer, features)
                advance = sum(position.x_advance for position in buffer.glyph_positions)
                found = cache[text] = advance * scale + style.tracking * len(text)
            return found

        self._measures[style] = width
        return width


def _load(path: Path) -> tuple[Any, int]:
    face = hb.Face(hb.Blob.from_file_path(str(path)))
    return hb.Font(face), face.upem
