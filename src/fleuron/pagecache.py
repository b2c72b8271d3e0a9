"""The book's page texts, kept between builds under `~/.cache/fleuron/pages/`: an ebook made
without the book (after a change to `epub.css` only, or with `--format epub`) takes its page
list from the same book's last layout instead of laying it out again."""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path

from .storage import user_cache_dir, write_atomically
from .writers.layout import LayoutJob, settings_digest

#: Bump when what is kept, or how it is named, changes.
_FORMAT = "page-texts 1"
#: Each edit is a new layout: only the most recent ones are kept.
_KEPT = 100


def kept_path(job: LayoutJob) -> Path:
    """Where the page texts of the book `job` lays out are kept: named by a hash of all that
    decides the layout (the HTML and its styles, the fonts' and images' bytes, the options,
    Fleuron, the installed packages, the system's libraries and font folders)."""
    digest = settings_digest(job)
    digest.update(json.dumps([_FORMAT, job.html, job.variant, job.bleed_mm, list(job.families)]).encode("utf-8"))
    return user_cache_dir("pages") / f"{digest.hexdigest()[:32]}.json"


def read_kept(path: Path) -> tuple[str, ...] | None:
    try:
        texts = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    valid = isinstance(texts, list) and texts and all(isinstance(text, str) for text in texts)
    return tuple(texts) if valid else None


def keep(path: Path, texts: Sequence[str]) -> None:
    """Keep them, and only the most recent `_KEPT` layouts."""
    with suppress(OSError):  # an unwritable cache costs the next ebook a layout, nothing else
        write_atomically(path, json.dumps(list(texts), ensure_ascii=False).encode("utf-8"))
        kept = sorted(path.parent.glob("*.json"), key=lambda entry: entry.stat().st_mtime_ns, reverse=True)
        for old in kept[_KEPT:]:
            old.unlink(missing_ok=True)
