"""Many titles in one run: the same pipeline per title, scheduled on this machine (a pool of
processes) or on a Dask distributed cluster, then the catalogue's feeds (`opds.py`).

A catalogue's folder holds one folder per title, each a Fleuron project (a `fleuron.toml`, or
one manuscript), and an optional `catalog.toml`. Each title is built by `build_title`, the same
function whichever engine runs it: its input files go to it as bytes, it builds them in a
private folder with `pipeline.build`, and its files come back as bytes. The workers thus need no
shared filesystem, and the files are the same bytes whichever engine made them.

This process alone reads and writes the catalogue's folders. For each title it hashes the input
files (with Fleuron's own code and the font folders): when the hash is the one the title's
state (`.fleuron-catalog.json`, in its output folder) records and its files are as they were
left, nothing is sent anywhere. A title's new files replace its old ones all together
(`storage.Staged`), and only when it built: a broken title keeps its previous files, and is
reported with its folder, file and line. A process that dies building a title is replaced and
the title tried once more, alone (locally) or elsewhere (on Dask), then reported.

Memory stays bounded: titles are read one at a time, and only a few more than there are workers
are in flight; a title's files are written as soon as they come back. Dask is imported only for
`--scheduler`.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import FleuronError
from .messages import _
from .parallel import cores
from .storage import STATE_FILE, Staged, recover, remove_folder, temporary_folder

#: The catalogue's settings, in its folder.
CATALOG_FILE = "catalog.toml"
#: A title's state in its output folder: the hash of its inputs, what the feeds say of it, and
#: the size and time of each of its files as this run left them.
TITLE_STATE = ".fleuron-catalog.json"
_SETTINGS: dict[str, type | tuple[type, ...]] = {
    "title": str, "publisher": str, "language": str, "base_url": str, "formats": list, "page_size": int,
}  # fmt: skip
#: Titles in a page of the feeds, unless `page_size` says otherwise: reading apps load the next
#: page as one scrolls, and a phone never parses ten thousand entries at once.
PAGE_SIZE = 100

#: The media type of each output format's file (`writers/formats.py`'s names).
MEDIA_TYPES = {"epub": "application/epub+zip", "pdf": "application/pdf", "handout": "application/pdf",
               "html": "text/html"}  # fmt: skip

log = logging.getLogger("fleuron")


@dataclass(frozen=True)
class Settings:
    """`catalog.toml`'s `[catalog]`: how the feeds present the catalogue, and the formats built
    for every title (None: each title's own, from its `fleuron.toml`)."""

    title: str
    publisher: str = ""
    language: str = "fr"
    base_url: str = ""
    formats: tuple[str, ...] | None = None
    page_size: int = PAGE_SIZE


def load_settings(folder: Path) -> Settings:
    """The catalogue's settings: `catalog.toml` in `folder`, checked, or defaults."""
    from .config import read_toml
    from .writers.formats import unknown_format

    default_title = folder.resolve().name
    path = folder / CATALOG_FILE
    if not path.is_file():
        return Settings(default_title)
    toml = read_toml(path)
    toml.check({"catalog": _SETTINGS})
    values = toml.data.get("catalog", {})
    formats = tuple(str(name) for name in values["formats"]) if "formats" in values else None
    unknown = unknown_format(formats or ())
    if unknown:
        raise toml.error(unknown, "formats")
    page_size = values.get("page_size", PAGE_SIZE)
    if isinstance(page_size, bool) or page_size < 1:
        raise toml.error(_("page_size must be a whole number of titles, 1 or more"), "page_size")
    return Settings(
        title=values.get("title") or default_title,
        publisher=values.get("publisher", ""),
        language=values.get("language", "fr"),
        base_url=values.get("base_url", ""),
        formats=tuple(dict.fromkeys(formats)) if formats else None,
        page_size=page_size,
    )


# --- One title, built anywhere --------------------------------------------------------------


@dataclass(frozen=True)
class TitleJob:
    """A title's input files as bytes, by path relative to its folder, and what to build."""

    name: str
    files: tuple[tuple[str, bytes], ...]
    formats: tuple[str, ...] | None
    #: The hash of all that goes into the title's files (kept in its state once built).
    key: str


@dataclass(frozen=True)
class TitleResult:
    name: str
    #: The files of the title's output folder, by name.
    files: dict[str, bytes] = field(default_factory=dict)
    #: What the feeds say of the title (`opds.py` reads it): its metadata, files and cover.
    entry: dict[str, Any] = field(default_factory=dict)
    #: The message, the file (relative to the catalogue's folder) and line of what stopped it.
    error: tuple[str, str | None, int | None] | None = None
    warnings: tuple[str, ...] = ()
    seconds: float = 0.0
    #: The job's `key`, kept in the title's state once its files are written.
    key: str = ""


def build_title(job: TitleJob) -> TitleResult:
    """Build one title from its files' bytes, in a private folder, and give its outputs back as
    bytes: the task a pool process or a Dask worker runs. Its layouts are made in this process
    (the engine's processes are the parallelism). A problem with the title is its result, never
    an exception: the next titles go on."""
    from .parallel import Layouts
    from .pipeline import build

    started = time.perf_counter()
    folder = temporary_folder()
    source = folder / "titles" / job.name
    out = folder / "out"

    def here(text: str) -> str:  # the private folder's paths, as the title's own
        return text.replace(str(folder / "titles") + os.sep, "")

    quiet = logging.NullHandler()
    logger = logging.getLogger("fleuron")
    logger.addHandler(quiet)  # the warnings go back with the result, said once by the catalogue
    propagate, logger.propagate = logger.propagate, False
    try:
        for relative, data in job.files:
            path = source / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        source.mkdir(parents=True, exist_ok=True)
        try:
            report = build(source, out, job.formats, layouts=Layouts(apart=False))
            files = {path.name: path.read_bytes() for path in sorted(out.iterdir())
                     if path.is_file() and not path.name.startswith(".")}  # fmt: skip
            entry = _entry(source, job.formats, files)
        except FleuronError as error:
            where = here(error.file) if error.file else job.name
            return _failed(job, started, here(error.message), where, error.line)
        except OSError as error:
            return _failed(job, started, here(f"{error.filename}: {error.strerror}" if error.filename else str(error)))
        except Exception as error:  # a bug of ours, met with this title: the others go on
            return _failed(job, started, _("internal error: {kind}: {detail}", kind=type(error).__name__,
                                           detail=here(str(error))))  # fmt: skip
        warnings = tuple(here(warning) for warning in report.warnings)
        return TitleResult(job.name, files, entry, None, warnings, time.perf_counter() - started, job.key)
    finally:
        logger.removeHandler(quiet)
        logger.propagate = propagate
        remove_folder(folder)


def _failed(job: TitleJob, started: float, message: str, file: str | None = None, line: int | None = None
            ) -> TitleResult:  # fmt: skip
    return TitleResult(job.name, error=(message, file or job.name, line), seconds=time.perf_counter() - started)


def _entry(source: Path, formats: tuple[str, ...] | None, files: dict[str, bytes]) -> dict[str, Any]:
    """What the feeds say of a title just built: its front matter (French typography applied,
    as in its files), the timestamp its files carry, its files with their media type, size,
    SHA-256 and pages, and the cover its EPUB carries, added to `files` as `<slug>-cover.<ext>`."""
    from .model import Document
    from .pipeline import load, plan
    from .typography import typographize
    from .writers.formats import FORMATS
    from .writers.timestamp import release_time

    request = plan(source, None, formats)
    meta = typographize(Document(load(request.sources[0], request.config.defaults).meta, ())).meta
    listed = {item["name"]: item for item in json.loads(files["manifest.json"])["files"]}
    outputs = []
    for fmt in request.formats:
        name = f"{meta.slug}{FORMATS[fmt].suffix}"
        if name in files:
            outputs.append({"format": fmt, "name": name, "type": MEDIA_TYPES.get(fmt, "application/octet-stream"),
                            "size": len(files[name]), "sha256": hashlib.sha256(files[name]).hexdigest(),
                            "pages": listed.get(name, {}).get("pages")})  # fmt: skip
    epub = f"{meta.slug}{FORMATS['epub'].suffix}"
    cover = _epub_cover(files[epub], meta.slug) if epub in files else None
    if cover is not None:
        files[cover["name"]] = cover.pop("data")
    return {
        "title": meta.title,
        "authors": list(meta.authors),
        "language": meta.lang,
        "identifier": meta.identifier,
        "subtitle": meta.subtitle,
        "publisher": meta.publisher,
        "isbn": meta.isbn,
        "published": meta.date.isoformat() if meta.date else None,
        "modified": release_time(meta).strftime("%Y-%m-%dT%H:%M:%SZ"),  # what the files are stamped with
        "description": meta.description,
        "subjects": list(meta.keywords),
        "slug": meta.slug,
        "files": outputs,
        "cover": cover,
    }


def _epub_cover(epub: bytes, slug: str) -> dict[str, Any] | None:
    """The cover image the EPUB carries (its package's `cover-image` item): the front matter's
    own, or the one the build drew."""
    from lxml import etree
    from PIL import Image

    opf_ns = {"opf": "http://www.idpf.org/2007/opf", "c": "urn:oasis:names:tc:opendocument:xmlns:container"}
    with zipfile.ZipFile(io.BytesIO(epub)) as archive:
        container = etree.fromstring(archive.read("META-INF/container.xml"))
        opf_path = str(container.xpath("string(//c:rootfile/@full-path)", namespaces=opf_ns))
        package = etree.fromstring(archive.read(opf_path))
        cover_item = "//opf:manifest/opf:item[contains(concat(' ', @properties, ' '), ' cover-image ')]"
        items: list[Any] = package.xpath(cover_item, namespaces=opf_ns)  # type: ignore[assignment]
        if not items:
            return None
        href, media_type = str(items[0].get("href")), str(items[0].get("media-type"))
        base = opf_path.rsplit("/", 1)[0] + "/" if "/" in opf_path else ""
        data = archive.read(base + href)
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
    suffix = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp",
              "image/svg+xml": ".svg"}.get(media_type, Path(href).suffix)  # fmt: skip
    return {"name": f"{slug}-cover{suffix}", "type": media_type, "width": width, "height": height, "data": data}


# --- Engines ----------------------------------------------------------------------------------


class Engine:
    """Runs `build_title` on jobs, a bounded number at a time; yields each result as it comes."""

    #: How many titles may be in flight per worker: enough to keep each busy, few enough to
    #: bound memory whatever the catalogue's size.
    PER_WORKER = 2

    def results(self, jobs: Iterator[TitleJob]) -> Iterator[TitleResult]:
        raise NotImplementedError

    def close(self) -> None:
        pass


def _worker_died(job: TitleJob, reason: str) -> TitleResult:
    return _failed(job, time.perf_counter(), _("the process building it died twice ({reason})", reason=reason))


class LocalEngine(Engine):
    """A pool of `jobs` processes on this machine (new interpreters: none inherits this one's
    threads), each importing WeasyPrint once for the titles it builds. A process that dies
    breaks the pool: the titles it held are tried again, each alone in a new process.

    A process keeps a little of each title it builds (about 0.3 MiB, in native libraries:
    Python's own objects do not grow), so the pool is replaced once its processes have built
    `TITLES_PER_PROCESS` titles each: the memory stays bounded whatever the catalogue's size.
    (Not with `max_tasks_per_child`, which can hang in Python 3.11 to 3.13: CPython gh-115634.)"""

    TITLES_PER_PROCESS = 50

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs

    @property
    def share(self) -> int:
        """How many titles a pool is given."""
        return self.jobs * self.TITLES_PER_PROCESS

    def _pool(self, workers: int) -> Any:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))

    def results(self, jobs: Iterator[TitleJob]) -> Iterator[TitleResult]:
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        again: list[TitleJob] = []
        pool = self._pool(self.jobs)
        try:
            pending: dict[Any, TitleJob] = {}
            exhausted = False
            given = 0  # to this pool
            while pending or not exhausted:
                while not exhausted and len(pending) < self.jobs * self.PER_WORKER and given < self.share:
                    job = next(jobs, None)
                    if job is None:
                        exhausted = True
                    else:
                        pending[pool.submit(build_title, job)] = job
                        given += 1
                if not pending:
                    if exhausted:
                        break
                    pool.shutdown(wait=True)  # its processes built their share: new ones
                    pool, given = self._pool(self.jobs), 0
                    continue
                done, _running = wait(pending, return_when=FIRST_COMPLETED)
                broken = False
                for future in done:
                    job = pending.pop(future)
                    try:
                        result = future.result()
                    except BrokenProcessPool:
                        broken = True
                        again.append(job)
                    else:
                        yield result
                if broken:  # the pool is unusable: the titles it still held are tried again too
                    again += pending.values()
                    pending = {}
                    pool.shutdown(wait=True, cancel_futures=True)
                    pool, given = self._pool(self.jobs), 0
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        if again:
            names = ", ".join(job.name for job in again)
            log.warning(_("a process died while building {titles}: each built again, alone", titles=names))
        for job in again:  # alone, so that a title that kills its process harms no other
            single = self._pool(1)
            try:
                yield single.submit(build_title, job).result()
            except BrokenProcessPool:
                yield _worker_died(job, _("its process ended unexpectedly"))
            finally:
                single.shutdown(wait=True)


#: The Dask events topic on which each title's task says, as it starts, which worker and which
#: process build it (`build_title_on_worker`).
DASK_TOPIC = "fleuron-catalog"


def build_title_on_worker(job: TitleJob) -> TitleResult:
    """`build_title` on a Dask worker, which first says on the scheduler's `DASK_TOPIC` which
    worker (and process) builds which title: a worker that dies is then known to have died
    building it, not merely holding it in its queue (Dask counts both alike)."""
    from distributed import get_worker

    worker = get_worker()
    started = {"title": job.name, "key": worker.get_current_task(), "worker": worker.address, "pid": os.getpid()}
    worker.log_event(DASK_TOPIC, started)
    return build_title(job)


class DaskEngine(Engine):
    """An existing Dask distributed cluster (`dask scheduler`, `dask worker`): each job, its
    files inside, goes to a worker, and its result comes back.

    A worker that dies building a title (its process killed, out of memory, a crash in a
    library) has the title tried once more elsewhere, then reported. Dask's scheduler itself
    tries again a task whose worker died, up to `distributed.scheduler.allowed-failures` times
    (3 by default) before it gives up with `KilledWorker`, and it counts every task the worker
    held, even those only waiting in its queue. So this engine counts the deaths itself, from
    the scheduler's events: a death counts against a title only when the dead worker had said
    it was building it (`build_title_on_worker`). At the first, the title goes on (the scheduler
    has already sent it elsewhere, or, with `allowed-failures` 0, it is sent again); at the
    second, it is cancelled and reported."""

    def __init__(self, address: str) -> None:
        try:
            import distributed
        except ImportError:
            raise FleuronError(_("Dask is not installed: pip install 'dask[distributed]'")) from None
        self.dask: Any = distributed  # untyped
        try:
            self.client: Any = self.dask.Client(address, timeout="10s", set_as_default=False)
        except (OSError, TimeoutError) as error:
            raise FleuronError(_("cannot reach the Dask scheduler at {address}: {reason}", address=address,
                                 reason=error)) from None  # fmt: skip
        threads = self.client.nthreads()
        self.workers = max(1, sum(threads.values()))
        crowded = sorted(address for address, count in threads.items() if count > 1)
        if crowded:
            message = ("the Dask workers {workers} have several threads each: start them with --nthreads 1 "
                       "(a layout holds Python's lock, so threads add no speed)")  # fmt: skip
            log.warning(_(message, workers=", ".join(crowded)))

    def results(self, jobs: Iterator[TitleJob]) -> Iterator[TitleResult]:
        import queue
        from asyncio import CancelledError

        from distributed.scheduler import KilledWorker

        # Everything comes to this thread through `inbox`, in the order it happened: a title
        # started on a worker, a worker removed (from the client's thread), a task's result
        # or error (fetched in Dask's callback thread: fetching a result can wait for its
        # worker, and this thread must meanwhile stop a title that is killing workers).
        inbox: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        owners: dict[str, tuple[Any, TitleJob]] = {}  # by task key
        building: dict[str, str] = {}  # task key -> the worker that said it builds it
        deaths: dict[str, set[tuple[str, str]]] = {}  # title -> (task key, worker) of each death
        errors: dict[str, int] = {}
        exhausted = False

        def submit(job: TitleJob) -> None:
            future = self.client.submit(build_title_on_worker, job, pure=False)
            owners[future.key] = (future, job)
            future.add_done_callback(fetch)

        def fetch(future: Any) -> None:
            try:
                inbox.put(("done", (future, future.result())))
            except (Exception, CancelledError) as error:
                inbox.put(("done", (future, error)))

        def fill() -> None:
            nonlocal exhausted
            while not exhausted and len(owners) < self.workers * self.PER_WORKER:
                job = next(jobs, None)
                if job is None:
                    exhausted = True
                else:
                    submit(job)

        def died(job: TitleJob, key: str, worker: str) -> bool:
            """Count a death of `job`'s worker; whether it is the second."""
            met = deaths.setdefault(job.name, set())
            met.add((key, worker))
            if len(met) == 1:
                log.warning(_("a Dask worker died while building {title} ({worker}): tried once more, elsewhere",
                              title=job.name, worker=worker))  # fmt: skip
            return len(met) > 1

        def twice(job: TitleJob) -> TitleResult:
            workers = ", ".join(sorted({worker for _key, worker in deaths[job.name]}))
            return _worker_died(job, _("Dask workers {workers}", workers=workers))

        self.client.subscribe_topic(DASK_TOPIC, lambda event: inbox.put(("started", event[1])))
        self.client.subscribe_topic("all", lambda event: inbox.put(("event", event[1])))
        try:
            fill()
            while owners:
                kind, item = inbox.get()
                if kind == "started":
                    building[item["key"]] = item["worker"]
                elif kind == "event" and item.get("action") == "remove-worker" and not item.get("expected"):
                    for key in item.get("processing-tasks", ()):
                        if key in owners and building.get(key) == item["worker"]:
                            future, job = owners[key]
                            if died(job, key, item["worker"]):  # the scheduler may have sent it on: stop it
                                del owners[key]
                                future.cancel()
                                yield twice(job)
                elif kind == "done" and item[0].key in owners:  # not one cancelled above
                    future, outcome = item
                    job = owners.pop(future.key)[1]
                    building.pop(future.key, None)
                    future.release()
                    if isinstance(outcome, TitleResult):
                        yield outcome
                    elif isinstance(outcome, KilledWorker):  # the scheduler gave up (its allowed-failures)
                        if died(job, future.key, outcome.last_worker.address):
                            yield twice(job)
                        else:
                            submit(job)
                    else:  # a lost connection, a worker without Fleuron…
                        errors[job.name] = errors.get(job.name, 0) + 1
                        if errors[job.name] < 2:
                            submit(job)
                        else:
                            yield _failed(job, time.perf_counter(), f"{type(outcome).__name__}: {outcome}")
                fill()
        finally:
            self.client.unsubscribe_topic(DASK_TOPIC)
            self.client.unsubscribe_topic("all")
            for future, _job in owners.values():
                future.cancel()

    def close(self) -> None:
        self.client.close()


# --- The catalogue ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What became of a title in this run."""

    name: str
    #: "built", "unchanged" or "failed".
    status: str
    files: int = 0
    seconds: float = 0.0
    #: For a failed title, where and why, as `folder/file:line: message`.
    message: str = ""


@dataclass
class CatalogReport:
    outcomes: list[Outcome]
    seconds: float
    warnings: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]


#: Told of each title as it is done: the outcome, the count done and the count of titles.
Progress = Callable[[Outcome, int, int], None]


def build_catalog(
    source: Path,
    out_dir: Path,
    jobs: int | None = None,
    scheduler: str | None = None,
    progress: Progress | None = None,
) -> CatalogReport:
    """Build every title of `source` that changed into `out_dir/<title>/`, then write the
    catalogue's files (`opds.py`). `jobs`: the local processes (default: one a core);
    `scheduler`: a Dask scheduler's address, instead."""
    from . import opds

    started = time.perf_counter()
    if not source.is_dir():
        raise FleuronError(_("no such folder; give the catalogue's folder, one folder per title"), str(source))
    settings = load_settings(source)
    out_dir.mkdir(parents=True, exist_ok=True)
    names = titles(source, out_dir)
    if not names:
        raise FleuronError(_("no title in this folder: put each title's project in a folder of its own"),
                           str(source))  # fmt: skip
    salt = _salt(settings)
    report = CatalogReport([], 0.0)

    def done(outcome: Outcome) -> None:
        report.outcomes.append(outcome)
        if progress:
            progress(outcome, len(report.outcomes), len(names))

    def stale() -> Iterator[TitleJob]:
        for name in names:
            files = title_files(source / name)
            key = _title_key(salt, files)
            if _fresh(out_dir / name, key):
                done(Outcome(name, "unchanged"))
            else:
                yield TitleJob(name, tuple(files), settings.formats, key)

    pending = stale()
    first = next(pending, None)  # nothing changed: no engine is started
    if first is not None:
        engine: Engine = DaskEngine(scheduler) if scheduler else LocalEngine(jobs or cores())
        try:
            for result in engine.results(_chain(first, pending)):
                done(_keep(source, out_dir, result, report))
        finally:
            engine.close()
    entries = []
    for name in names:  # the titles as their last good build left them, failed ones included
        state = _state(out_dir / name)
        if state is not None:
            entries.append((name, state["entry"]))
    opds.write_catalog(out_dir, settings, entries)
    report.seconds = time.perf_counter() - started
    return report


def titles(source: Path, out_dir: Path) -> list[str]:
    """The title folders of the catalogue, by name: every folder in it but hidden ones, the
    output folder and the output folders of builds."""
    found = []
    output = out_dir.resolve()
    for name in sorted(os.listdir(source)):
        path = source / name
        if name.startswith(".") or not path.is_dir() or path.is_symlink() or path.resolve() == output:
            continue
        if (path / STATE_FILE).exists() or (path / TITLE_STATE).exists():
            continue
        found.append(name)
    return found


def title_files(folder: Path) -> list[tuple[str, bytes]]:
    """Every file of a title's folder, by path relative to it, in order: not hidden ones, not
    the output folders of its own builds, not symbolic links (a link could lead anywhere on this
    machine, and the worker would be given what it leads to)."""
    found = []
    for root, dirs, files in os.walk(folder):
        here = Path(root)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not (here / d).is_symlink()
                         and not (here / d / STATE_FILE).exists())  # fmt: skip
        for name in sorted(files):
            path = here / name
            if name.startswith(".") or path.is_symlink() or not path.is_file():
                continue
            found.append((path.relative_to(folder).as_posix(), path.read_bytes()))
    return found


def _salt(settings: Settings) -> str:
    """What goes into every title's files besides its own: Fleuron's version and default
    stylesheets, Python, the installed packages and system libraries, the formats, the
    timestamp's source, and the font folders' listings. As in a single build's incremental keys
    (`pipeline._input_keys`), Fleuron's code counts by its version, not by its files' times."""
    from . import __version__
    from .config import DEFAULT_STYLES_DIRS
    from .state import code_fingerprint, listing
    from .writers.fonts import SYSTEM_FONT_DIRS

    python, _own, packages, libraries = code_fingerprint()
    styles = [[str(path), hashlib.sha256(path.read_bytes()).hexdigest()]
              for folder in DEFAULT_STYLES_DIRS if folder.is_dir()
              for path in sorted(folder.rglob("*")) if path.is_file()]  # fmt: skip
    fonts = [listing(folder, recursive=True) for folder in SYSTEM_FONT_DIRS]
    asked = [settings.formats, os.environ.get("SOURCE_DATE_EPOCH", ""), os.path.expanduser("~")]
    code = [__version__, python, packages, libraries, styles]
    return hashlib.sha256(json.dumps([code, asked, fonts], default=str).encode()).hexdigest()


def _title_key(salt: str, files: Iterable[tuple[str, bytes]]) -> str:
    digest = hashlib.sha256(salt.encode())
    for name, data in files:
        digest.update(f"\0{name}\0{hashlib.sha256(data).hexdigest()}".encode())
    return digest.hexdigest()


def _state(folder: Path) -> dict[str, Any] | None:
    try:
        state = json.loads((folder / TITLE_STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) and isinstance(state.get("entry"), dict) else None


def _fresh(folder: Path, key: str) -> bool:
    """Whether the title's files are those its state describes, made from these inputs (each
    file's size and time as this process left it: a file changed since is rebuilt)."""
    state = _state(folder)
    if state is None or state.get("inputs") != key:
        return False
    try:
        return all([info.st_size, info.st_mtime_ns] == list(expected)
                   for name, expected in state["stat"].items()
                   for info in [os.stat(folder / name)])  # fmt: skip
    except (OSError, TypeError, ValueError, AttributeError):
        return False


def _keep(source: Path, out_dir: Path, result: TitleResult, report: CatalogReport) -> Outcome:
    """Write a title's new files, all together, or report why it has none (its previous files
    stay as they were)."""
    for warning in result.warnings:
        report.warnings.append(f"{result.name}: {warning}")
    if result.error is not None:
        message, file, line = result.error
        where = str(source / file) if file else str(source / result.name)
        return Outcome(result.name, "failed", 0, result.seconds, str(FleuronError(message, where, line)))
    folder = out_dir / result.name
    folder.mkdir(exist_ok=True)
    recover(folder)  # what a run killed while renaming left
    previous = _state(folder)
    with Staged(folder) as staged:
        for name, data in result.files.items():
            staged.write(folder / name, data)
        staged.commit()
    stats = {name: [info.st_size, info.st_mtime_ns] for name in result.files for info in [os.stat(folder / name)]}
    state = {"inputs": result.key, "entry": result.entry, "stat": stats}
    from .storage import write_atomically

    write_atomically(folder / TITLE_STATE, json.dumps(state, ensure_ascii=False, indent=1).encode("utf-8"))
    for name in (previous or {}).get("stat", {}):  # what an earlier build made and this one did not
        if name not in result.files and "/" not in name and not name.startswith("."):
            (folder / name).unlink(missing_ok=True)
    return Outcome(result.name, "built", len(result.files), result.seconds)


def _chain(first: TitleJob, rest: Iterator[TitleJob]) -> Iterator[TitleJob]:
    yield first
    yield from rest
