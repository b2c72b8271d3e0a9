"""What a build leaves in its output folder besides the outputs (`.fleuron-build.json`), and
the answer it allows before anything heavy is imported: is there nothing to do?

For each format, the state keeps the hash of all that went into the output (decided by the
pipeline, from the parsed manuscript), the output's hash and its page count.

It also keeps a witness of the whole build: the request, Fleuron's own files and the installed
packages, the hash of every file the build was about to read, the places it looked and found
nothing, the folders it searched, and the hash of every file it left. The outputs depend on
nothing else Fleuron reads, so when all of them are still as they were, `fleuron build` prints
the last summary and stops, without parsing or laying out anything: the cost of an unchanged
rebuild is that of hashing its files. No witness is left, and the next build is checked in
full, for a build stamped "now" (no `date`, no SOURCE_DATE_EPOCH), showing images from the
network, reading a pipe or a device, or with symbolic links in the project. Not seen: a system
font used as a fallback, changed in place under the same name; system libraries other than
through `/etc/ld.so.cache` (on Linux).

This module uses the standard library only: it runs before the readers and writers are imported.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import DEFAULT_STYLES_DIRS, Config, config_candidates, find_config, load_config
from .errors import FleuronError
from .storage import STATE_FILE, leftovers

_PACKAGE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Output:
    path: Path
    size: int
    pages: int | None
    rebuilt: bool


@dataclass(frozen=True)
class Report:
    outputs: list[Output]
    seconds: float
    #: What the build warned about; for a build that stopped early, what the last one said.
    warnings: tuple[str, ...] = ()


class BuildState:
    """An output folder's state: per format, the inputs' hash, the file's hash and its page
    count; and the witness of the last complete build."""

    def __init__(self, out_dir: Path) -> None:
        self.path = out_dir / STATE_FILE
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        self.data: dict[str, Any] = data if isinstance(data, dict) else {}
        self.changed = False

    def fresh(self, fmt: str, key: str, path: Path) -> bool:
        entry = self.data.get(fmt)
        return bool(
            isinstance(entry, dict)
            and entry.get("inputs") == key
            and path.is_file()
            and sha256_file(path) == entry.get("sha256")
        )

    def record(self, fmt: str, key: str, data: bytes, pages: int | None) -> None:
        self.data[fmt] = {"inputs": key, "sha256": hashlib.sha256(data).hexdigest(), "pages": pages}
        self.changed = True

    def pages(self, fmt: str) -> int | None:
        pages = self.data.get(fmt, {}).get("pages")
        return int(pages) if pages is not None else None

    def built(self, fmt: str) -> bool:
        return bool(self.data.get(fmt))

    def witness(self, witness: Witness | None) -> None:
        """Keep `witness` (None: forget the last one, this build cannot be vouched for)."""
        value = witness.to_json() if witness else None
        if self.data.get("witness") != value:
            self.data["witness"] = value
            self.changed = True

    def save(self, write: Callable[[Path, bytes], None] | None = None) -> None:
        """Write the state if it changed, with `write` (the build's `Staged.write`: renamed
        last, with its outputs) or else at once."""
        if self.changed:
            from .storage import write_atomically

            (write or write_atomically)(self.path, json.dumps(self.data, indent=1, sort_keys=True).encode("utf-8"))


# --- The witness ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Witness:
    request: str
    #: Every input file, by absolute path: its SHA-256, taken before the build read it.
    files: dict[str, str]
    #: Where the build looked for a file and found none (a `fleuron.toml`, a `styles/` folder).
    absent: tuple[str, ...]
    #: The folders it searched (the manuscript folder, the font folders): a hash of their listing.
    listings: dict[str, str]
    #: Every file it left, by absolute path: its SHA-256.
    outputs: dict[str, str]
    #: The summary to print: each requested output's path, size and page count.
    summary: tuple[tuple[str, int, int | None], ...]
    warnings: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "request": self.request,
            "files": self.files,
            "absent": list(self.absent),
            "listings": self.listings,
            "outputs": self.outputs,
            "summary": [list(row) for row in self.summary],
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_json(cls, data: Any) -> Witness:
        """Raises KeyError, TypeError or ValueError for anything this module did not write."""
        summary = tuple((str(path), int(size), None if pages is None else int(pages))
                        for path, size, pages in data["summary"])  # fmt: skip
        witness = cls(
            str(data["request"]),
            dict(data["files"]),
            tuple(data["absent"]),
            dict(data["listings"]),
            dict(data["outputs"]),
            summary,
            tuple(str(w) for w in data["warnings"]),
        )
        if not all(isinstance(v, str) for v in [*witness.files.values(), *witness.listings.values()]):
            raise TypeError("not a witness")
        return witness


class Inputs:
    """The inputs of a build as it finds them, hashed before it reads them: a concurrent edit
    then makes the witness disagree with the file, and the next build checks in full. Each is
    kept under the path the build asked for (not where its links lead: relinking is a change)."""

    def __init__(self) -> None:
        self.files: dict[str, str] = {}
        self.absent: list[str] = []
        self.listings: dict[str, str] = {}
        #: False once an input cannot be witnessed: a pipe or a device, or a project with links
        #: (`unlinked`) whose targets the build resolves before this sees them.
        self.witnessable = True

    def file(self, path: Path, data: bytes | None = None) -> None:
        """`path`, hashed now, or as `data` when the build has just read it."""
        if not _regular(path):
            self.witnessable = False  # the build itself reads it (and refuses what is too long)
            return
        digest = hashlib.sha256(data).hexdigest() if data is not None else sha256_file(path)
        self.files[os.path.abspath(path)] = digest

    def files_in(self, paths: Iterable[Path]) -> None:
        for path in paths:
            self.file(path)

    def missing(self, path: Path) -> None:
        self.absent.append(os.path.abspath(path))

    def unlinked(self, paths: Iterable[Path]) -> None:
        """Not witnessable if one of `paths`, or anything in the folders among them, is reached
        through a symbolic link: pointing a link elsewhere changes the input, not the files."""
        for path in paths:
            if os.path.realpath(path) != os.path.abspath(path):
                self.witnessable = False
            elif os.path.isdir(path):
                for root, dirs, files in os.walk(path):
                    if any(os.path.islink(os.path.join(root, name)) for name in [*dirs, *files]):
                        self.witnessable = False
                        return

    def folder(self, folder: Path, recursive: bool = False) -> None:
        self.listings[_listing_key(folder, recursive)] = listing(folder, recursive)

    def project_config(self, start: Path) -> None:
        """Where `find_config` looks: each folder up from `start` until a `fleuron.toml`."""
        for candidate in config_candidates(start):
            if candidate.is_file():
                self.file(candidate)
                self.unlinked([candidate])
                return
            self.missing(candidate)

    def witness(
        self,
        request: str,
        outputs: Sequence[Path],
        summary: Sequence[Output],
        warnings: Sequence[str],
        digest: Callable[[Path], str] | None = None,
    ) -> Witness:
        """`digest`: each output's SHA-256 (the build's, for the files it has yet to rename)."""
        return Witness(
            request,
            dict(self.files),
            tuple(dict.fromkeys(self.absent)),
            dict(self.listings),
            {os.path.abspath(path): (digest or sha256_file)(path) for path in outputs},
            tuple((str(o.path), o.size, o.pages) for o in summary),
            tuple(warnings),
        )


def print_flags(
    trim: str | None, marks: bool, variant: str | None, creep: float | None = None, pod: str | None = None
) -> tuple[str | float | bool | None, ...]:
    """The print flags as a request's key counts them: trim, marks and PDF variant, then the
    booklet's creep and the service only when given (so that the key of a build asking for
    neither is the one it always had)."""
    flags: tuple[str | float | bool | None, ...] = (trim, marks, variant)
    if creep:
        flags = (*flags, creep)
    return (*flags, f"pod={pod}") if pod else flags


@dataclass(frozen=True)
class Request:
    """What `fleuron build` was asked, as given: before `fleuron.toml` is read (it is an input)."""

    source: Path | str | None
    out_dir: Path | str | None
    formats: Sequence[str] | None
    #: The print flags: trim, marks, PDF variant, then the booklet's creep and the service when given.
    options: tuple[str | float | bool | None, ...] = (None, False, None)
    zip_archive: bool = False
    #: `--allow-outside`: `fleuron.toml`'s paths may lead out of the project's folder.
    allow_outside: bool = False

    def key(self) -> str:
        """As a hash: the flags (paths made absolute), the timestamp's source and the code that
        answers (Fleuron's files, its styles, the installed packages, Python)."""

        def absolute(path: Path | str | None) -> str | None:
            return None if path is None else os.path.abspath(path)

        asked = [os.getcwd(), absolute(self.source), absolute(self.out_dir), list(self.formats or []),
                 list(self.options), self.zip_archive, self.allow_outside]  # fmt: skip
        # The timestamp's source, and HOME, where two of the font folders are.
        environment = [os.environ.get("SOURCE_DATE_EPOCH", ""), os.path.expanduser("~")]
        return hashlib.sha256(json.dumps([asked, environment, code_fingerprint()]).encode("utf-8")).hexdigest()


def code_fingerprint() -> list[Any]:
    """Fleuron's own files (code and default styles, by size and time, as `make` would), the
    packages installed beside it (their names carry their versions), and the system's shared
    libraries (Pango, HarfBuzz…: `/etc/ld.so.cache` is rewritten whenever one is installed)."""
    own = []
    for folder, _, names in sorted(os.walk(_PACKAGE)):
        for name in sorted(names):
            if not name.endswith((".pyc", ".pyo")):
                info = os.stat(os.path.join(folder, name))
                own.append([os.path.relpath(os.path.join(folder, name), _PACKAGE), info.st_size, info.st_mtime_ns])
    for styles in DEFAULT_STYLES_DIRS:
        for path in sorted(styles.rglob("*")) if styles.is_dir() else []:
            info = path.stat()
            own.append([str(path), info.st_size, info.st_mtime_ns])
    packages = []
    for folder in sys.path:  # site-packages and the like (sysconfig would cost more than all this)
        if folder.endswith("-packages") and os.path.isdir(folder):
            packages += sorted(name for name in os.listdir(folder) if name.endswith(".dist-info"))
    try:
        libraries = os.stat("/etc/ld.so.cache").st_mtime_ns
    except OSError:
        libraries = 0
    return [sys.version, own, packages, libraries]


def unchanged_build(request: Request) -> Report | None:
    """The last build's report when it would be made again identically, else None (then the
    pipeline decides, output by output). Never raises: any doubt is a None."""
    try:
        folder = output_folder(request.source, request.out_dir, request.allow_outside)
        data = BuildState(folder).data.get("witness")
        if not data or leftovers(folder):  # a build killed there: the next one cleans up after it
            return None
        witness = Witness.from_json(data)
        if witness.request != request.key():
            return None
        if any(os.path.lexists(path) for path in witness.absent):
            return None
        for key, expected in witness.listings.items():
            folder_name, recursive = _parse_listing_key(key)
            if listing(Path(folder_name), recursive) != expected:
                return None
        for path, expected in (*witness.files.items(), *witness.outputs.items()):
            if sha256_file(Path(path)) != expected:
                return None
    except (OSError, ValueError, TypeError, KeyError, FleuronError):
        return None
    outputs = [Output(Path(path), size, pages, False) for path, size, pages in witness.summary]
    return Report(outputs, 0.0, witness.warnings)


def output_folder(source: Path | str | None, out_dir: Path | str | None, allow_outside: bool = False) -> Path:
    """Where the build of `source` writes: `-o`, else its `fleuron.toml`'s, else `dist/`."""
    return Path(out_dir) if out_dir is not None else _project(source, allow_outside).output


def _project(source: Path | str | None, allow_outside: bool) -> Config:
    start = Path(source) if source is not None else Path()
    path = find_config(start) if start.exists() else None
    return load_config(path, allow_outside=allow_outside) if path else Config()


def listing(folder: Path, recursive: bool = False) -> str:
    """A hash of the names in `folder` (and below it, if `recursive`); "absent" if it is not a folder."""
    if not folder.is_dir():
        return "absent"
    if recursive:
        top = len(str(folder)) + 1
        names = sorted(
            os.path.join(root[top:], name) for root, dirs, files in os.walk(folder) for name in [*dirs, *files]
        )
    else:
        names = sorted(os.listdir(folder))
    return hashlib.sha256("\0".join(names).encode("utf-8", "surrogateescape")).hexdigest()


def _listing_key(folder: Path, recursive: bool) -> str:
    return ("**" if recursive else "*") + os.path.abspath(folder)


def _parse_listing_key(key: str) -> tuple[str, bool]:
    return (key[2:], True) if key.startswith("**") else (key[1:], False)


def _regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def sha256_file(path: Path) -> str:
    """The file's SHA-256; OSError for anything but a regular file (never read a device)."""
    if not _regular(path):
        raise OSError(f"not a regular file: {path}")
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
