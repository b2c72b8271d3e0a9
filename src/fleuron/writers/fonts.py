"""The type of the printed outputs: which font files, whether they hold what French needs, and
the `@font-face` rules that load them.

The family is described in `styles/fonts.toml` (a project's own `styles/` wins). Every face is
a file the project controls; WeasyPrint is given those files and nothing else, so that no
glyph comes from a system fallback font. French typography puts U+202F (narrow no-break
space), U+00A0 and U+2011 (non-breaking hyphen) in the text: a face that lacks one of them is
replaced by a derived copy that has it, made once with fontTools and cached under
`$XDG_CACHE_HOME/fleuron/fonts/` (default `~/.cache/fleuron/fonts/`), keyed by the hash of the
original file. The derivation is deterministic: the same file gives the same bytes. What each
file covers is kept beside it, under `coverage/`, by the same kind of key.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import tomllib
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from ..errors import FleuronError
from ..messages import _
from ..model import Document
from ..storage import user_cache_dir, write_atomically
from .stylesheets import styles_dir, stylesheet

FONTS_CONFIG = "fonts.toml"

#: What French typography needs from a font, beyond the usual Latin text.
REQUIRED: dict[int, str] = {
    0x00A0: "no-break space",
    0x202F: "narrow no-break space",
    0x2011: "non-breaking hyphen",
}

#: Bump when `derive_font_bytes` changes, so that cached copies are made again.
_DERIVATION = "1"
#: Bump when what the coverage cache keeps changes.
_COVERAGE_FORMAT = b"best cmap, runs 1\0"

ROLES = ("text", "mono")

SYSTEM_FONT_DIRS = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".local" / "share" / "fonts",
    Path.home() / ".fonts",
)

Role = Literal["text", "mono"]


@dataclass(frozen=True)
class Face:
    role: Role
    weight: int
    style: Literal["normal", "italic"]
    #: The file as installed (found by name), and the one WeasyPrint loads (maybe derived).
    source: Path
    path: Path


@dataclass(frozen=True)
class BookFonts:
    #: The family's name, and its monospaced member's (both as the PDF will name them).
    family: str
    mono_family: str
    faces: tuple[Face, ...]

    @property
    def paths(self) -> set[Path]:
        return {face.path for face in self.faces}

    @property
    def families(self) -> set[str]:
        return {self.family, self.mono_family}

    def css(self) -> str:
        """The `@font-face` rules (each face from its own file, by URL), and who uses which."""
        names = {"text": self.family, "mono": self.mono_family}
        faces = "".join(
            f'@font-face {{ font-family: "{names[face.role]}"; src: url("{face.path.as_uri()}"); '
            f"font-weight: {face.weight}; font-style: {face.style}; }}\n"
            for face in self.faces
        )
        mono = self.mono_family if any(face.role == "mono" for face in self.faces) else self.family
        return faces + f'html {{ font-family: "{self.family}"; }}\npre, code, kbd, samp {{ font-family: "{mono}"; }}\n'

    def text_coverage(self) -> frozenset[int]:
        """The characters every text face has (the safe set for any run of text)."""
        return self._coverage("text")

    def mono_coverage(self) -> frozenset[int]:
        return self._coverage("mono")

    def _coverage(self, role: Role) -> frozenset[int]:
        sets = [_cmap(face.path) for face in self.faces if face.role == role]
        return frozenset.intersection(*sets) if sets else frozenset()


def book_fonts(doc: Document) -> BookFonts:
    """The faces of the book's family, found, checked and completed where needed."""
    config, found = _found_faces(doc)
    faces = [Face(entry["role"], entry["weight"], entry["style"], source, complete_font(source))
             for entry, source in found]  # fmt: skip
    return BookFonts(config["family"], config.get("mono-family", config["family"] + " Mono"), tuple(faces))


def face_files(doc: Document) -> list[Path]:
    """The font files of the book's family, found but not read yet (for the build's witness)."""
    return [source for _, source in _found_faces(doc)[1]]


def _found_faces(doc: Document) -> tuple[dict[str, Any], list[tuple[dict[str, Any], Path]]]:
    config = _config(stylesheet(doc, FONTS_CONFIG))
    folders = (styles_dir(doc) / "fonts", *SYSTEM_FONT_DIRS)
    found = []
    for entry in config["face"]:
        source = find_font_file(entry["file"], folders)
        if source is None:
            package = config.get("debian-package")
            hint = _(" (Debian package {package}: `make` installs it)", package=package) if package else ""
            message = _(
                "font file {file} of {family} not found in styles/fonts/ or the system's font folders; "
                "install it{hint}",
                file=entry["file"],
                family=config["family"],
                hint=hint,
            )
            raise FleuronError(message, FONTS_CONFIG)
        found.append((entry, source))
    return config, found


def _config(text: str) -> dict[str, Any]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise FleuronError(_("does not parse: {reason}", reason=error), FONTS_CONFIG) from None
    faces = data.get("face")
    if not isinstance(data.get("family"), str) or not isinstance(faces, list) or not faces:
        raise FleuronError(_("needs a `family` and at least one [[face]]"), FONTS_CONFIG)
    for face in faces:
        ok = (
            isinstance(face, dict)
            and face.get("role") in ROLES
            and isinstance(face.get("weight"), int)
            and face.get("style") in ("normal", "italic")
            and isinstance(face.get("file"), str)
        )
        if not ok:
            message = _(
                "each [[face]] needs role (text or mono), weight, style (normal or italic) and file; got {face}",
                face=face,
            )
            raise FleuronError(message, FONTS_CONFIG)
    if not any(face["role"] == "text" for face in faces):
        raise FleuronError(_('needs at least one face with role = "text"'), FONTS_CONFIG)
    return data


def find_font_file(name: str, folders: Iterable[Path]) -> Path | None:
    for folder in folders:
        found = _font_files(folder.resolve()).get(name)
        if found is not None:
            return found
    return None


@cache
def _font_files(folder: Path) -> dict[str, Path]:
    files: dict[str, Path] = {}
    # A project's font may not be a link out of its folder (the system's fonts are trusted).
    system = any(folder.is_relative_to(d.resolve()) for d in SYSTEM_FONT_DIRS)
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.suffix.lower() in (".otf", ".ttf") and path.name not in files:
                real = path.resolve()
                if system or real.is_relative_to(folder):
                    files[path.name] = real
    return files


# --- Coverage and derivation -------------------------------------------------------------


def _open_font(source: Path | io.BytesIO, lazy: bool = False) -> Any:
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    # Keep the file's own timestamp: a derived copy must not depend on when it was made.
    return TTFont(source, lazy=lazy, recalcTimestamp=False)


def _cmap(path: Path) -> frozenset[int]:
    """The characters the font file has (its best cmap)."""
    stat = path.stat()
    return _cmap_of(path, stat.st_size, stat.st_mtime_ns)


@cache  # by size and time too: `fleuron watch` sees a font file that changes
def _cmap_of(path: Path, size: int, mtime_ns: int) -> frozenset[int]:
    """Read with fontTools once, then from the cache by the file's hash: parsing a CFF font's
    cmap costs about as much as all the rest of Fleuron's own work on a book."""
    data = path.read_bytes()
    entry = user_cache_dir("coverage") / f"{hashlib.sha256(_COVERAGE_FORMAT + data).hexdigest()[:32]}.json"
    try:
        return _codes(json.loads(entry.read_text(encoding="ascii")))
    except (OSError, ValueError, TypeError):
        pass  # not cached yet, or not readable: read the font
    with _open_font(io.BytesIO(data), lazy=True) as font:
        codes = frozenset(font.getBestCmap())
    with suppress(OSError):  # an unwritable cache costs time, nothing else
        write_atomically(entry, json.dumps(_ranges(codes)).encode("ascii"))
    return codes


def _ranges(codes: frozenset[int]) -> list[list[int]]:
    """Code points as [first, last] runs: a font's cmap is mostly contiguous blocks."""
    runs: list[list[int]] = []
    for code in sorted(codes):
        if runs and runs[-1][1] == code - 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return runs


def _codes(runs: Any) -> frozenset[int]:
    """The inverse of `_ranges`, refusing (TypeError) what it could not have written."""
    if not isinstance(runs, list) or not all(
        isinstance(run, list) and len(run) == 2 and all(type(n) is int for n in run) and 0 <= run[0] <= run[1]
        for run in runs
    ):
        raise TypeError("not a coverage entry")
    return frozenset(code for first, last in runs for code in range(first, last + 1))


def missing_required(path: Path) -> list[int]:
    """The code points of `REQUIRED` that the font file lacks."""
    cmap = _cmap(path)
    return [code for code in REQUIRED if code not in cmap]


def complete_font(source: Path) -> Path:
    """`source` itself when it has every required character, else its cached derived copy."""
    if not missing_required(source):
        return source
    data = source.read_bytes()
    key = hashlib.sha256(data + _DERIVATION.encode()).hexdigest()[:20]
    name = f"{source.stem}-{key}{source.suffix}"
    for folder in (user_cache_dir("fonts"), Path(tempfile.gettempdir()) / f"fleuron-fonts-{os.getuid()}"):
        target = folder / name
        if target.is_file():
            return target
        try:
            write_atomically(target, derive_font_bytes(data))
        except OSError:
            continue  # an unwritable cache: try the next place
        return target
    message = _("cannot write a completed copy of {name} in {folder}", name=source.name, folder=user_cache_dir("fonts"))
    raise FleuronError(message)


def derive_font_bytes(data: bytes) -> bytes:
    """The font with what `REQUIRED` lists added: each space as a glyph of its own (so that the
    PDF's text maps back to the right character), the non-breaking hyphen as the hyphen's glyph."""
    font = _open_font(io.BytesIO(data))
    cmap = font.getBestCmap()
    units = font["head"].unitsPerEm
    additions: dict[int, str] = {}
    if 0x00A0 not in cmap:
        space = cmap.get(0x20)
        width = font["hmtx"][space][0] if space else units // 4
        additions[0x00A0] = _add_empty_glyph(font, "uni00A0", width)
    if 0x202F not in cmap:
        # A French "fine": the font's thin space if it has one, else a sixth of an em.
        thin = cmap.get(0x2009) or cmap.get(0x2006)
        width = font["hmtx"][thin][0] if thin else units // 6
        additions[0x202F] = _add_empty_glyph(font, "uni202F", width)
    if 0x2011 not in cmap:
        hyphen = cmap.get(0x2010) or cmap.get(0x2D)
        if hyphen is None:
            raise FleuronError(_("the font has no hyphen to lend to U+2011"))
        additions[0x2011] = hyphen
    for table in font["cmap"].tables:
        if table.isUnicode():
            for code, glyph in additions.items():
                if table.format != 4 or code <= 0xFFFF:
                    table.cmap[code] = glyph
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _add_empty_glyph(font: Any, base_name: str, width: int) -> str:
    """A new glyph without outline, `width` units wide, in a TrueType or a (non-CID) CFF font."""
    order = list(font.getGlyphOrder())
    name = base_name
    while name in order:
        name += ".fleuron"
    if "glyf" in font:
        from fontTools.ttLib.tables._g_l_y_f import Glyph  # type: ignore[import-untyped]

        glyf = font["glyf"]
        glyf.glyphs[name] = Glyph()
        glyf.glyphOrder = [*order, name]
    elif "CFF " in font:
        from fontTools.misc.psCharStrings import T2CharString  # type: ignore[import-untyped]

        top = font["CFF "].cff.topDictIndex[0]
        if hasattr(top, "ROS"):
            raise FleuronError(_("cannot add glyphs to a CID-keyed CFF font; choose another font"))
        private = top.Private
        program: list[Any] = ["endchar"]
        if width != getattr(private, "defaultWidthX", 0):
            program.insert(0, width - getattr(private, "nominalWidthX", 0))
        charstrings = top.CharStrings
        charstring = T2CharString(program=program, private=private, globalSubrs=top.GlobalSubrs)
        if charstrings.charStringsAreIndexed:
            charstrings.charStringsIndex.append(charstring)
            charstrings.charStrings[name] = len(charstrings.charStringsIndex) - 1
        else:
            charstrings.charStrings[name] = charstring
        top.charset.append(name)
    else:
        raise FleuronError(_("the font has neither TrueType nor CFF outlines"))
    font.setGlyphOrder([*order, name])
    for table in ("hdmx", "LTSH"):  # optional per-glyph tables that would now be short of a glyph
        if table in font:
            del font[table]
    font["hmtx"][name] = (width, 0)
    if "vmtx" in font:
        font["vmtx"][name] = (font["head"].unitsPerEm, 0)
    return name
