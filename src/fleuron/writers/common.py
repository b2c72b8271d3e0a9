"""What every writer needs: the book's timestamp, its local images, its stylesheets, and
writing a file so that a failure never leaves half of it behind."""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..errors import FleuronError
from ..model import Document, Figure, Image, Metadata
from ..walk import block_inline_runs, iter_blocks, iter_inlines

log = logging.getLogger("fleuron")

#: Where Fleuron's default stylesheets live: packaged with the module, or the repository's
#: top-level `styles/` when running from a checkout.
_PACKAGED_STYLES = Path(__file__).resolve().parent.parent / "styles"
_CHECKOUT_STYLES = Path(__file__).resolve().parents[3] / "styles"

IMAGE_MEDIA_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}


def release_time(meta: Metadata) -> dt.datetime:
    """The one timestamp stamped into outputs, so that the same input gives the same bytes:
    the front matter's `date`, else `SOURCE_DATE_EPOCH`, else now (with a warning)."""
    if meta.date is not None:
        return dt.datetime(meta.date.year, meta.date.month, meta.date.day, tzinfo=dt.UTC)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
        except (ValueError, OverflowError):
            raise FleuronError(f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds") from None
    log.warning("no 'date' in the front matter and no SOURCE_DATE_EPOCH: the build is stamped now")
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def styles_dir(doc: Document) -> Path:
    """A project's own `styles/` (beside its manuscript folder) wins over Fleuron's defaults."""
    for block in doc.blocks[:1]:
        project = Path(block.pos.file).resolve().parent.parent / "styles"
        if project.is_dir():
            return project
    return _PACKAGED_STYLES if _PACKAGED_STYLES.is_dir() else _CHECKOUT_STYLES


def stylesheet(doc: Document, name: str) -> str:
    for folder in (styles_dir(doc), _PACKAGED_STYLES, _CHECKOUT_STYLES):
        if (folder / name).is_file():
            return (folder / name).read_text(encoding="utf-8")
    raise FleuronError(f"stylesheet '{name}' not found in {styles_dir(doc)}")


@dataclass(frozen=True)
class LocalImage:
    source: str  # as written in the manuscript
    path: Path
    media_type: str


def local_images(doc: Document) -> dict[str, LocalImage]:
    """Every image the document shows, found next to the manuscript that names it.

    Images must be local files of a type every reading system knows: a missing or remote one
    is an error at the line that names it, not a hole in the book.
    """
    found: dict[str, LocalImage] = {}
    for block in iter_blocks(doc.blocks):
        runs = list(block_inline_runs(block))
        if isinstance(block, Figure):
            runs.append((block.image,))
        for run in runs:
            for inline in iter_inlines(run):
                if isinstance(inline, Image) and inline.source not in found:
                    found[inline.source] = resolve_image(inline.source, block.pos.file, block.pos.line)
    return found


def resolve_image(source: str, file: str, line: int) -> LocalImage:
    parts = urlsplit(source)
    if parts.scheme or parts.netloc:
        raise FleuronError(
            f"image '{source}' is not a local file: save it beside the manuscript and link it by its path",
            file,
            line,
        )
    base = Path(file).parent if file and not file.startswith("<") else Path.cwd()
    path = (base / unquote(parts.path)).resolve()
    if not path.is_file():
        raise FleuronError(f"image '{source}' not found (looked for {path})", file, line)
    media_type = IMAGE_MEDIA_TYPES.get(path.suffix.lower())
    if media_type is None:
        kinds = ", ".join(sorted(IMAGE_MEDIA_TYPES))
        raise FleuronError(f"image '{source}' is not of a type ebooks accept ({kinds})", file, line)
    return LocalImage(source, path, media_type)


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename: readers see the old file or the new."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
