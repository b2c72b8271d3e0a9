"""What Fleuron keeps on disk: files written whole or not at all, the output folder's own
files, and the cache folder. Standard library only: the unchanged-build check uses it before
anything heavy is imported."""

from __future__ import annotations

import os
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: The build's state and witness, kept in the output folder (`state.py`).
STATE_FILE = ".fleuron-build.json"
#: Each output with its size, SHA-256 and pages, for distribution (`distribution.py`).
MANIFEST = "manifest.json"


def user_cache_dir(kind: str) -> Path:
    """`$XDG_CACHE_HOME/fleuron/<kind>` (default `~/.cache/fleuron/<kind>`): what Fleuron keeps
    between builds, each entry named by the hash of what it was made from."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "fleuron" / kind


#: Signals that must not cut a file's writing short: they are held until it is renamed.
_HELD_SIGNALS = {signal.SIGINT, signal.SIGTERM}


@contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait (in the main thread) while a file is written and renamed; the
    interrupt comes right after, with the file whole."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename: readers see the old file or the new,
    and an interrupted build leaves no temporary file behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with _signals_held():
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
