"""What a build may read (`ProjectFiles`): the manuscript's folder, the project's `styles/`,
Fleuron's own styles and the book's font files, after following symlinks. The manuscripts'
reader, the EPUB packaging and the PDF's URL fetcher all ask it, so all refuse the same files
with the same message. The project is where the manuscripts are as given (`manuscript_dir`),
never where a manuscript's link leads.

Light on purpose (the model only for type checking): the process that lays out a PDF (`layout.py`) carries one.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import DEFAULT_STYLES_DIRS
from ..errors import FleuronError
from ..messages import _

if TYPE_CHECKING:
    from ..model import Document

_PACKAGED_STYLES, _CHECKOUT_STYLES = DEFAULT_STYLES_DIRS


@dataclass(frozen=True)
class ProjectFiles:
    """The files a build may read: anything under one of `roots`, or one of `files` (the
    book's fonts, wherever the system keeps them; fetched images in the cache). A path is
    judged once symlinks are followed, so a link pointing out of the project is refused."""

    roots: tuple[Path, ...]
    files: frozenset[Path] = frozenset()

    def allows(self, path: Path) -> bool:
        real = _real(path)
        return real is not None and (real in self.files or any(real.is_relative_to(root) for root in self.roots))

    def with_files(self, paths: Iterable[Path]) -> ProjectFiles:
        return ProjectFiles(self.roots, self.files | {p for p in map(_real, paths) if p is not None})

    def check(self, path: Path, what: str, file: str | None = None, line: int | None = None) -> Path:
        """`path` with its symlinks followed, or an error naming `what` and where it was asked for."""
        real = _real(path)
        if real is None or not self.allows(real):
            target = _(" (it leads to {path})", path=real) if real is not None and real != path else ""
            raise FleuronError(
                _(
                    "{what} is outside the project{target}: Fleuron reads only the manuscript's folder, "
                    "its styles and the book's fonts; copy the file into the manuscript's folder",
                    what=what,
                    target=target,
                ),
                file,
                line or None,
            )
        return real

    def read(self, path: Path, what: str, file: str | None = None, line: int | None = None) -> str:
        real = self.check(path, what, file, line)
        try:
            return real.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            message = _("not UTF-8 text (byte {offset} is 0x{value}); save the file as UTF-8",
                        offset=error.start, value=f"{error.object[error.start]:02x}")  # fmt: skip
            raise FleuronError(message, str(path)) from None


def _real(path: Path) -> Path | None:
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):  # a loop of links, a NUL byte, a name too long
        return None


def manuscript_dir(file: str | Path) -> Path:
    """The folder a manuscript is in, as given: the folder's own path with its links followed,
    but not the manuscript's link (which must lead inside that folder, `manuscript_files`)."""
    folder = Path(file).parent
    return _real(folder) or Path(os.path.abspath(folder))


def manuscript_dirs(doc: Document) -> list[Path]:
    """The folders of the document's source files; the working folder for a text in memory."""
    files = dict.fromkeys(block.pos.file for block in doc.blocks if not block.pos.file.startswith("<"))
    return [manuscript_dir(file) for file in files] or [Path.cwd().resolve()]


def _roots(folders: Iterable[Path]) -> tuple[Path, ...]:
    """Each manuscript folder, the `styles/` beside it, and Fleuron's own styles."""
    roots: list[Path] = []
    for folder in folders:
        roots.append(folder)
        styles = folder.parent / "styles"  # `folder` is resolved: only `styles` itself could be a link
        if not styles.is_symlink():
            roots.append(styles)
    roots += [_PACKAGED_STYLES.resolve(), _CHECKOUT_STYLES.resolve()]
    return tuple(dict.fromkeys(roots))


def manuscript_files(path: Path) -> ProjectFiles:
    """What the build of the manuscript `path` may read, before it is read: the same as
    `project_files` gives once it is (a link to a manuscript is followed only inside them)."""
    return ProjectFiles(_roots([manuscript_dir(path)]))


def project_files(doc: Document) -> ProjectFiles:
    """What `doc`'s build may read: its manuscripts' folders, the `styles/` beside each, and
    Fleuron's own styles (packaged, or in a checkout)."""
    return ProjectFiles(_roots(manuscript_dirs(doc)))
