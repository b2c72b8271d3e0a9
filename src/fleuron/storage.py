"""What Fleuron keeps on disk: files written whole or not at all, a build's outputs replaced all
together or not at all, the output folder's own files, the cache folder, and the temporary
folders of a build. Standard library only: the unchanged-build check uses it before anything
heavy is imported.

Every temporary file is named `.<target>.<pid>.<random>.tmp`, beside its target, and every
temporary folder `fleuron-tmp-<pid>-<random>`: the pid of the process that writes it tells the
next build which ones a process killed outright left behind (`recover`, `remove_dead_folders`)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import TracebackType

#: The build's state and witness, kept in the output folder (`state.py`).
STATE_FILE = ".fleuron-build.json"
#: Each output with its size, SHA-256 and pages, for distribution (`distribution.py`).
MANIFEST = "manifest.json"

# Patterns compiled when first needed (`re`'s cache): the unchanged-build check rarely needs them.
#: A temporary file of ours: `.<target's name>.<writer's pid>.<mkstemp's 8 letters>.tmp`.
_TEMPORARY = r"\.(?P<target>.+)\.(?P<pid>[0-9]+)\.[a-z0-9_]{8}\.tmp"
#: The list of renames that completes a build (`Staged.commit`), and its writer's pid.
_JOURNAL = r"\.fleuron-journal\.(?P<pid>[0-9]+)\.json"
#: A build's (or a layout's) temporary folder, in the system's temporary folder.
_FOLDER = r"fleuron-tmp-(?P<pid>[0-9]+)-[a-z0-9_]{8}"

#: The temporary files and journals this process is writing now (another thread's build must
#: not take them for a dead build's).
_writing: set[str] = set()
_writing_lock = threading.Lock()


def user_cache_dir(kind: str) -> Path:
    """`$XDG_CACHE_HOME/fleuron/<kind>` (default `~/.cache/fleuron/<kind>`): what Fleuron keeps
    between builds, each entry named by the hash of what it was made from."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "fleuron" / kind


#: Signals that must not cut a file's writing short: they are held until it is renamed.
_HELD_SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGALRM}  # SIGALRM: `budget.py`'s timer


@contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT, SIGTERM and the budget's SIGALRM wait (in the main thread) while a file is written
    and renamed; the interrupt comes right after, with the file whole."""
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
    and an interrupted build leaves no temporary file behind. An OSError names `path`."""
    with _signals_held():
        tmp = _write_temporary(path, data)
        try:
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        finally:
            _written(tmp)


def _write_temporary(path: Path, data: bytes) -> Path:
    """`data` in a new temporary file beside `path`, flushed to disk. An OSError (a full disk, a
    file size limit) names `path`, not the temporary file, and leaves none."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _writing_lock:  # known as being written from the moment it exists
            fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp")
            _writing.add(name)
    except OSError as error:
        raise _naming(error, path) from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(name, 0o644)
    except BaseException as error:
        Path(name).unlink(missing_ok=True)
        _written(Path(name))
        if isinstance(error, OSError):
            raise _naming(error, path) from None
        raise
    return Path(name)


def _naming(error: OSError, path: Path) -> OSError:
    """`error`, as about `path` (the same class, from its errno)."""
    return OSError(error.errno, error.strerror or str(error), str(path)) if error.errno else error


def _written(tmp: Path) -> None:
    with _writing_lock:
        _writing.discard(str(tmp))


class Staged:
    """New files for one folder, each written first to a temporary file beside its target
    (flushed to disk); `commit` then renames them all, in the order they were staged. Until
    then the folder's files are untouched; leaving the `with` block with an error removes the
    temporary files, and nothing is renamed.

    The renames are listed first in a journal, `.fleuron-journal.<pid>.json`: a build killed
    outright (SIGKILL, power cut) while renaming leaves it, and the next build completes it
    (`recover`) before anything else. The folder thus always holds one build's files, whole."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.files: dict[Path, tuple[Path, bytes]] = {}  # target: (temporary file, bytes)

    def __enter__(self) -> Staged:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if kind is not None:
            self.discard()

    def write(self, path: Path, data: bytes) -> None:
        """Stage `data` for `path`, in this folder (OSError, naming `path`, if the disk is full)."""
        if path.parent != self.folder:
            raise ValueError(f"{path} is not in {self.folder}")
        with _signals_held():  # an interrupt comes between two files, never inside one
            tmp = _write_temporary(path, data)
            previous = self.files.pop(path, None)
            self.files[path] = (tmp, data)
        if previous:
            previous[0].unlink(missing_ok=True)
            _written(previous[0])

    def read(self, path: Path) -> bytes:
        """The bytes `path` will have: those staged for it, else those it has."""
        return self.files[path][1] if path in self.files else path.read_bytes()

    def sha256(self, path: Path) -> str:
        if path in self.files:
            return hashlib.sha256(self.files[path][1]).hexdigest()
        from .state import sha256_file  # never reads a device

        return sha256_file(path)

    def commit(self) -> None:
        """Rename every staged file over its target, the journal kept for as long as it takes."""
        renames = [(tmp, target) for target, (tmp, _) in self.files.items()]
        if not renames:
            return
        with _signals_held():
            journal = None
            if len(renames) > 1:  # one rename is whole by itself
                journal = self.folder / f".fleuron-journal.{os.getpid()}.json"
                with _writing_lock:
                    _writing.add(str(journal))
                listed = [[tmp.name, target.name] for tmp, target in renames]
                try:
                    write_atomically(journal, json.dumps({"renames": listed}).encode("utf-8"))
                except BaseException:  # nothing renamed: the temporary files go (`__exit__`)
                    _written(journal)
                    raise
                _sync_folder(self.folder)
            self.files = {}  # from here, the journal's
            try:
                for tmp, target in renames:
                    try:
                        os.replace(tmp, target)
                    except OSError as error:
                        raise _naming(error, target) from None
                if journal:
                    _sync_folder(self.folder)
                    journal.unlink()
            finally:  # a rename that failed leaves the journal, for the next build to complete
                for tmp, _ in renames:
                    _written(tmp)
                if journal:
                    _written(journal)

    def discard(self) -> None:
        for tmp, _ in self.files.values():
            tmp.unlink(missing_ok=True)
            _written(tmp)
        self.files = {}


def _sync_folder(folder: Path) -> None:
    """Make the folder's renames durable (where the system allows a folder to be synced)."""
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# --- What a build killed outright left -------------------------------------------------------


def leftovers(folder: Path) -> bool:
    """Whether a build killed outright left something in `folder`: a journal or a temporary file.
    One `listdir`: cheap enough for the unchanged-build check."""
    try:
        names = os.listdir(folder)
    except OSError:
        return False
    candidates = [name for name in names if name.startswith(".") and name.endswith((".tmp", ".json"))]
    return any(_dead_writer(folder / name, _ours(name)) for name in candidates)


def recover(folder: Path) -> None:
    """Complete the renames of a journal left by a build killed outright (its temporary files
    are complete: the journal is written after them), then remove the temporary files that
    dead processes left. Another build's files, still being written, are left alone."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    journals = [folder / name for name in names if _dead_writer(folder / name, re.fullmatch(_JOURNAL, name))]
    for journal in sorted(journals, key=_modified):  # the older first: the newer one's files win
        for tmp, target in _journal_renames(journal):
            with suppress(FileNotFoundError):  # renamed already
                os.replace(folder / tmp, folder / target)
        _sync_folder(folder)
        journal.unlink(missing_ok=True)
    for name in os.listdir(folder):
        if _dead_writer(folder / name, re.fullmatch(_TEMPORARY, name)):
            (folder / name).unlink(missing_ok=True)


def _ours(name: str) -> re.Match[str] | None:
    """The match of a journal's or a temporary file's name, with the writer's pid."""
    return re.fullmatch(_JOURNAL, name) or re.fullmatch(_TEMPORARY, name)


def _journal_renames(journal: Path) -> list[tuple[str, str]]:
    """The renames a journal lists, each a temporary file's name and its target's, both in the
    journal's folder; none if it is not a journal this module wrote."""
    try:
        listed = json.loads(journal.read_text(encoding="utf-8"))["renames"]
        renames = [(str(tmp), str(target)) for tmp, target in listed]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    for tmp, target in renames:
        match = re.fullmatch(_TEMPORARY, tmp)
        if not match or match["target"] != target or "/" in target or os.sep in target:
            return []
    return renames


def _dead_writer(path: Path, match: re.Match[str] | None) -> bool:
    """Whether `match` (of a file's name) names a writer that no longer writes it: a process
    that has ended, or this one, which is not writing it now."""
    if match is None:
        return False
    pid = int(match["pid"])
    if pid == os.getpid():
        with _writing_lock:
            return str(path) not in _writing
    return not _alive(pid)


def _alive(pid: int) -> bool:
    if os.name != "posix":  # `os.kill` would end it
        return True
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's: it exists
        return True
    return True


def _modified(path: Path) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return 0


# --- Temporary folders ---------------------------------------------------------------------


def temporary_folder() -> Path:
    """A new private folder in the system's temporary folder, named after this process: for
    what a build or a layout writes there (WeasyPrint's fonts), removed by `remove_folder`,
    or, if the process is killed, by the next build (`remove_dead_folders`)."""
    return Path(tempfile.mkdtemp(prefix=f"fleuron-tmp-{os.getpid()}-"))


def remove_folder(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def remove_dead_folders() -> None:
    """Remove the temporary folders that killed processes (their pid in the name) left in the
    system's temporary folder: only this user's, never through a link."""
    _remove_folders(lambda pid: pid != os.getpid() and not _alive(pid))


def remove_own_folders() -> None:
    """Remove what is left of this process's temporary folders, as the command ends: whatever
    path made one, none outlives the build."""
    _remove_folders(lambda pid: pid == os.getpid())


def _remove_folders(whose: Callable[[int], bool]) -> None:
    try:
        base = Path(tempfile.gettempdir())  # no usable temporary folder: nothing of ours in one
        names = os.listdir(base)
    except OSError:
        return
    for name in names:
        match = re.fullmatch(_FOLDER, name)
        if match is None or not whose(int(match["pid"])):
            continue
        try:
            info = os.lstat(base / name)
        except OSError:
            continue
        if stat.S_ISDIR(info.st_mode) and info.st_uid == os.geteuid():
            remove_folder(base / name)
