"""Layouts made in other processes, beside this one. WeasyPrint's layout is Python that holds
the GIL, so threads would not help; and importing WeasyPrint takes as long as laying out a
short book, so each process is started before the manuscript is even read.

A `LayoutProcess` is a new interpreter (`python -m fleuron.parallel`), not a fork: it inherits
none of our threads (a progress bar's) or locks. It imports WeasyPrint and `writers/layout.py`
alone (not the model, not the readers) while this process reads and corrects the manuscript
and writes the HTML; then it is given a `LayoutJob` (pickled) and gives back the PDF and the
page texts (`Laid`), with the warnings it would have printed, which this process gives in its
place. A book's build thus costs what WeasyPrint alone costs on its HTML, plus little.

Each build's layout processes write their temporary files (WeasyPrint's copies of the book's
fonts) in a folder of the build's own, given to them as TMPDIR and removed when the build ends,
however they ended. A layout process whose first process is gone ends without a word.

`FLEURON_JOBS=1` in the environment makes every layout in this process, one after the other.
"""

from __future__ import annotations

import logging
import os
import pickle
import signal
import struct
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .budget import layout_process_died, limit_memory
from .messages import _

if TYPE_CHECKING:
    import subprocess

    from .writers.layout import Laid, LayoutJob

log = logging.getLogger("fleuron")
#: The folder `fleuron` is imported from, for the other process to import the same code.
_IMPORT_ROOT = Path(__file__).resolve().parent.parent


def other_processes() -> bool:
    """Whether to lay out in other processes: unless `FLEURON_JOBS=1`, and only where starting
    one is cheap (a POSIX system; Windows starts processes slowly)."""
    return os.environ.get("FLEURON_JOBS", "").strip() != "1" and os.name == "posix"


def cores() -> int:
    """How many cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def second_core() -> bool:
    """Whether this process may use a second core."""
    return cores() > 1


class NoResult(RuntimeError):
    """The layout's process ended without an answer: it could not start (no WeasyPrint, no
    fleuron on its path), or it was killed. Its own error, if any, went to stderr."""


class LayoutProcess:
    """A process that imports WeasyPrint from the moment this is made, then lays out one job
    after another: `send` gives it a job, `result` waits for its layout, `stop` ends it if it is
    still there. The book's runs of chapters (`writers/chapters.py`) are laid out by such
    processes too, talking through `post` and `receive`. `temporary`: the folder for its
    temporary files (its TMPDIR), which the caller removes."""

    def __init__(self, temporary: Path | None = None, max_memory: int | None = None) -> None:
        import subprocess  # here: an unchanged build never starts one

        env = dict(os.environ)
        if not _IMPORT_ROOT.name.endswith("-packages"):  # a checkout: its code, not an installed copy
            env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_IMPORT_ROOT), env.get("PYTHONPATH", "")) if p)
        if temporary is not None:
            env["TMPDIR"] = str(temporary)
        self.process: subprocess.Popen[bytes] = subprocess.Popen(
            [sys.executable, "-m", "fleuron.parallel", str(os.getpid())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            # Under a memory budget, what the C libraries print as they run out (Fontconfig, GLib)
            # is noise: the first process reports the budget.
            stderr=subprocess.DEVNULL if max_memory else None,
            env=env,
        )
        if max_memory:
            limit_memory(self.process.pid, max_memory)
        self.output: IO[bytes] = self.process.stdout  # type: ignore[assignment]

    def post(self, message: tuple[Any, ...]) -> None:
        """A message for the process (`main` says which); one it cannot take any more (it has
        ended) is dropped: `receive` says so."""
        with suppress(OSError):
            write_message(self.process.stdin, message)  # type: ignore[arg-type]

    def receive(self) -> tuple[Any, ...]:
        message = read_message(self.output)
        if message is None:
            code = self.process.wait()
            raise NoResult(
                _("the layout's process ended ({code}) without a result ({reason})", code=code, reason="EOF")
            )
        answer: tuple[Any, ...] = message
        return answer

    def send(self, job: LayoutJob) -> None:
        self.post(("job", job))

    def result(self) -> Laid:
        """The layout of the job sent, its pages numbered from 1."""
        while True:
            message = self.receive()
            if message[0] == "paginated":
                self.post(("start", 1))
                continue
            if message[0] == "error":
                raise message[1]
            laid: Laid = message[1]
            for name, level, text in message[2]:  # given here, by the logger that said it there
                logging.getLogger(name).log(level, "%s", text)
            return laid

    def stop(self) -> None:
        """End the process if it still runs (not needed after all, or the build failed or was
        interrupted)."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe:
                with suppress(OSError):
                    pipe.close()


def write_message(stream: IO[bytes], message: Any) -> None:
    """A message between processes: its length, then its pickle."""
    data = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
    stream.write(struct.pack(">Q", len(data)) + data)
    stream.flush()


#: More than any message holds (a book's PDF): past it, the stream is not ours.
_LONGEST = 1 << 36


def read_message(stream: IO[bytes]) -> Any:
    """The next message, or None when the stream ends (or is cut short)."""
    size = stream.read(8)
    if len(size) < 8:
        return None
    (length,) = struct.unpack(">Q", size)
    if length > _LONGEST:  # not a length: not one of our messages
        return None
    data = stream.read(length)
    if len(data) < length:
        return None
    return pickle.loads(data)


class Layouts:
    """A build's layouts (the book's, the handout's): each in a `LayoutProcess` of its own on a
    machine with a second core, started by `start` as soon as it is known to be needed; else
    one after the other, in this process. A process that has imported WeasyPrint already (an
    earlier build in `fleuron watch`, or in a program using the API) lays out itself: the
    import is most of what another process would save."""

    def __init__(self, apart: bool | None = None, max_memory: int | None = None) -> None:
        if max_memory is not None:  # a limit for the layout alone needs a process of its own
            apart = True
        elif apart is None:
            apart = other_processes() and second_core() and "weasyprint" not in sys.modules
        self.apart = apart
        #: The layout processes' address space, in megabytes (`budget.py`).
        self.max_memory = max_memory
        self.processes: dict[str, LayoutProcess] = {}
        self.jobs: dict[str, LayoutJob] = {}
        #: The processes' temporary folder, made with the first one, removed by `stop`.
        self.temporary: Path | None = None

    def start(self, name: str) -> None:
        if self.apart:
            self.process(name)

    def process(self, name: str) -> LayoutProcess:
        """The process named `name`, started now if it was not (even when the layouts are
        made here: the book's runs of chapters are always laid out apart)."""
        if name not in self.processes:
            if self.temporary is None:
                from .storage import temporary_folder

                self.temporary = temporary_folder()
            self.processes[name] = LayoutProcess(self.temporary, self.max_memory)
        return self.processes[name]

    def send(self, name: str, job: LayoutJob) -> None:
        self.jobs[name] = job
        if self.apart:
            self.start(name)
            self.processes[name].send(job)

    def result(self, name: str, report: Callable[[int], None]) -> Laid:
        """The layout of the job sent under `name`; `report` hears of each page laid out here."""
        if self.apart:
            report(0)  # no page numbers from another process: the stage alone
            try:
                return self.processes[name].result()
            except (NoResult, MemoryError) as error:
                layout_process_died(error, self.max_memory)
                # Lay out here: any error of WeasyPrint's is then ours to report.
                log.info(_("{reason}; laying out in this process", reason=error))
        from .writers.layout import lay_out

        with _pages_reported(report):
            return lay_out(self.jobs[name])

    def stop(self) -> None:
        """End the processes still running, and remove what they left in their folder."""
        for process in self.processes.values():
            process.stop()
        if self.temporary is not None:
            from .storage import remove_folder

            remove_folder(self.temporary)
            self.temporary = None


@contextmanager
def _pages_reported(report: Callable[[int], None]) -> Iterator[None]:
    """Passes WeasyPrint's page-by-page progress (its `weasyprint.progress` log) to `report`."""
    logger = logging.getLogger("weasyprint.progress")
    handler = _PageHandler(report)
    saved = logger.level, logger.propagate
    logger.setLevel(logging.INFO)
    logger.propagate = False  # to us, not to the console
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.level, logger.propagate = saved


class _PageHandler(logging.Handler):
    def __init__(self, report: Callable[[int], None]) -> None:
        super().__init__(logging.INFO)
        self.report = report

    def emit(self, record: logging.LogRecord) -> None:
        if "Creating layout - Page" in str(record.msg) and record.args:
            self.report(int(record.args[0]))  # type: ignore[index, call-overload]


def main() -> None:
    """The other process. On stdin, messages (`write_message`): ("job", `LayoutJob`), then,
    once it has said ("paginated", its page count), ("start", the number of its first page);
    on stdout, ("done", `Laid`, [(logger, level, message)]) or ("error", exception); then the
    next job. Its stdin closed, or a message cut short: the first process no longer wants it,
    or has died; then, as when the answer cannot be given, this one ends at once and silently
    (status 1), without the interpreter's teardown, which would report the broken pipe."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C reaches both processes: the first reports it
    try:
        _end_with_parent(int(sys.argv[1]) if len(sys.argv) > 1 else os.getppid())
        _lay_out_and_answer()
    except (OSError, EOFError, pickle.UnpicklingError, KeyboardInterrupt):  # the first process is gone
        os._exit(1)
    except MemoryError:  # past its budget before it had a job (`budget.py`): the first process says so
        os._exit(1)
    # Done: skip the interpreter's teardown (a tenth of a second of freeing WeasyPrint's boxes),
    # for which the first process would wait.
    os._exit(0)


def _lay_out_and_answer() -> None:
    # The answer's own channel: whatever else writes to stdout (a print, a C library) goes to stderr.
    answer = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    requests = sys.stdin.buffer
    import weasyprint  # noqa: F401  (while the first process reads the manuscript)

    from .writers.chapters import Stopped, numbered_from
    from .writers.layout import lay_out

    records: list[tuple[str, int, str]] = []
    root = logging.getLogger()
    root.handlers = [KeepWarnings(records)]
    root.setLevel(logging.WARNING)

    def first_page(pages: int) -> int:
        write_message(answer, ("paginated", pages))
        message = read_message(requests)
        if message is None:
            os._exit(1)
        if message[0] == "stop":
            raise Stopped
        start: int = message[1]
        return start

    while True:
        message = read_message(requests)
        if message is None:
            return
        records.clear()
        outcome: tuple[Any, ...]
        try:
            with numbered_from(first_page):
                outcome = ("done", lay_out(message[1]), list(records))
        except Stopped:
            outcome = ("stopped",)
        except Exception as error:
            try:
                pickle.loads(pickle.dumps(error))
            except Exception:
                error = RuntimeError(f"{type(error).__name__}: {error}")
            outcome = ("error", error)
        write_message(answer, outcome)
        sys.stderr.flush()


def _end_with_parent(parent: int) -> None:
    """On Linux, be killed with the first process (`parent`), even when it is killed outright
    (SIGKILL, out of memory): a book's layout can take a minute that nobody would wait for."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    with suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    if os.getppid() != parent:  # it ended before the line above, or before this process started
        os._exit(1)


class KeepWarnings(logging.Handler):
    """Keeps each warning (and error) logged, with its logger's name and its level, in `kept`."""

    def __init__(self, kept: list[tuple[str, int, str]]) -> None:
        super().__init__(logging.WARNING)
        self.kept = kept

    def emit(self, record: logging.LogRecord) -> None:
        self.kept.append((record.name, record.levelno, record.getMessage()))


if __name__ == "__main__":
    main()
