"""The book laid out by chapter: its HTML cut into runs of parts (the front matter, runs of
chapters, the notes, index and colophon), each laid out by WeasyPrint in one of a few processes
at once, then joined (`join.py`) into the book WeasyPrint would have made in one pass.

It holds because every part of the book opens on a right-hand page: a run's pages depend on
the runs before it only through their numbers. Those numbers reach a run in two ways:

- its folios: WeasyPrint paginates the run first and makes its margin boxes last; a hook on
  that last step (`_hooked`) tells the first process how many pages the run has and waits
  for its first page's number, known as soon as the runs before it are paginated, then adds
  it to the page counter of the margin boxes;
- the page numbers the text prints (the contents, cross-references, the index): each is
  written into the run's HTML (`data-fleuron-page`, which the stylesheet prints in place of
  `target-counter`), from the last layout of the book (kept with the runs) or, the first
  time, a guess; after the layout, a run whose printed numbers differ from where the targets
  fell is laid out again with the right ones, until none differs.

Each run's layout is kept (`~/.cache/fleuron/chapters/`), named by a hash of its HTML and the
layout's settings, with its first page's number: an edit to one chapter lays out that run
again, and the others too only when its page count changed the numbers of those after it.

Books whose parts do not all open on a right-hand page (a project stylesheet may change
that), and the handout, are laid out whole (`applies`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import re
import selectors
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import FleuronError
from ..messages import _
from ..parallel import cores, other_processes
from .layout import Laid, LayoutJob, settings_digest

if TYPE_CHECKING:
    from ..parallel import LayoutProcess, Layouts

log = logging.getLogger("fleuron")

#: Below this many parts, the book is laid out whole: the processes would cost more than they save.
MIN_PARTS = 4
#: A run of chapters holds about this many characters of HTML (about twenty A5 pages), so that
#: an edit lays out little again, and a process's cost per layout stays small beside it.
RUN_CHARS = 60_000
#: Rounds of layout before the printed page numbers must agree with the layout.
MAX_ROUNDS = 4
_FORMAT = "chapters 1"
_KEPT = 400

_PART = re.compile(r'^<section class="part( intro| notes| index)?"', re.MULTILINE)
_LINK = re.compile(r'<a((?:\s+[\w:-]+="[^"]*")*?)\s+href="#([^"]+)"')
_TARGET_COUNTER = "target-counter(attr(href url), page)"


@dataclass(frozen=True)
class Run:
    """A run of the book's body: its HTML, and the side its first page is on."""

    name: str
    body: str
    left: bool = False
    #: The first run: the title page sets the running heads' title itself.
    front: bool = False


@dataclass(frozen=True)
class Book:
    head: str
    tail: str
    title: str
    runs: tuple[Run, ...]


def split(html: str) -> Book | None:
    """The book's HTML (`pdf.book_html`) cut into runs, or None when it has too few parts."""
    head, found, rest = html.partition("<body>\n")
    body, found_end, tail = rest.rpartition("</body>")
    if not found or not found_end:
        return None
    main_at = body.find("\n<main")
    main_end = body.rfind("</main>\n")
    if main_at < 0 or main_end < 0:
        return None
    main_at += 1
    opening = body[main_at : body.index(">\n", main_at) + 2]
    starts = [m.start() for m in _PART.finditer(body, main_at, main_end)]
    kinds = [m.group(1) or "" for m in _PART.finditer(body, main_at, main_end)]
    if len(starts) < MIN_PARTS or starts[0] != main_at + len(opening):
        return None
    bounds = [*starts, main_end]
    sections = [(kinds[i], body[bounds[i] : bounds[i + 1]]) for i in range(len(starts))]
    chapters = [text for kind, text in sections if kind in ("", " intro")]
    ends = [text for kind, text in sections if kind in (" notes", " index")]
    if [kind for kind, _ in sections] != [k for k, _ in sections if k in ("", " intro")] + [
        k for k, _ in sections if k in (" notes", " index")
    ]:
        return None
    runs = [Run("front", body[:main_at], front=True)]
    group: list[str] = []
    for number, text in enumerate(chapters):
        # An untitled opening part is a run of its own: the running head of its right-hand
        # pages is the book's title, which the runs after it must not carry.
        if group and (sum(map(len, group)) >= RUN_CHARS or (number == 1 and kinds[0] == " intro")):
            runs.append(Run(f"text{len(runs)}", opening + "".join(group) + "</main>\n"))
            group = []
        group.append(text)
    runs.append(Run(f"text{len(runs)}", opening + "".join(group) + "</main>\n"))
    colophon = body[main_end + len("</main>\n") :]
    if ends:
        runs.append(Run("end", opening + "".join(ends) + "</main>\n" + colophon))
    elif colophon.strip():
        runs.append(Run("end", colophon, left=True))
    title = re.search(r'<h1 class="title">(.*?)</h1>', body[:main_at], re.DOTALL)
    from html import unescape

    return Book(head + "<body>\n", "</body>" + tail, unescape(title.group(1)) if title else "", tuple(runs))


def applies(job: LayoutJob) -> Book | None:
    """The book `job` lays out, split into runs, if it may be laid out by chapter: parts
    enough, each opening on a right-hand page (the stylesheet says so), and other processes
    allowed; else None."""
    if not other_processes() or (job.index and "fleuron-index" not in job.html):
        return None
    if os.environ.get("FLEURON_CHAPTERS", "").strip() == "0" or not _parts_open_right(job.html):
        return None
    return split(job.html)


def _parts_open_right(html: str) -> bool:
    """The book's styles put every part on a right-hand page: `main .part` breaks before a
    right page, and no later rule of the same selector says otherwise."""
    rules = re.findall(r"main \.part\s*\{([^}]*)\}", html)
    sides = [m for rule in rules for m in re.findall(r"break-before:\s*([\w-]+)", rule)]
    return bool(sides) and sides[-1] in ("right", "recto")


def run_html(book: Book, run: Run, numbers: Mapping[str, int]) -> str:
    """A run as a document of its own: the book's head, with its page references printed from
    `numbers` and the links to the other runs' anchors marked for the join."""
    own = set(re.findall(r'\sid="([^"]+)"', run.body))

    def link(match: re.Match[str]) -> str:
        attributes, target = match.group(1), match.group(2)
        page = numbers.get(target, 0)
        href = f"#{target}" if target in own else f"{FOREIGN}{target}"
        return f'<a{attributes} data-fleuron-page="{page}" href="{href}"'

    body = _LINK.sub(link, run.body)
    css = ""
    if not run.front:
        # As the title page sets them: the book's title on left pages, and on the right pages of
        # an untitled opening part (set by its first element: the root's would be set anew on
        # each page, over the titles of the parts).
        title = _css_string(book.title)
        css += f"html {{ string-set: book-title {title}; }}\n"
        css += f"main > .intro:first-child > :first-child {{ string-set: part {title}; }}\n"
    if run.left:
        css += "html { break-before: left; }\n"
    head = book.head.replace(_TARGET_COUNTER, "attr(data-fleuron-page)")
    if css:
        head = head.replace("</style>\n</head>", f"{css}</style>\n</head>", 1)
    return head + body + book.tail


#: The links from one run to another's anchor, as WeasyPrint writes them (external), until the join.
FOREIGN = "fleuron-chapter:"


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def references(run_html_text: str) -> dict[str, int]:
    """The page numbers a run's HTML prints, by anchor."""
    found = re.findall(r'data-fleuron-page="(\d+)" href="(?:#|' + re.escape(FOREIGN) + r')([^"]+)"', run_html_text)
    return {target: int(page) for page, target in found}


# --- Laying out the runs -----------------------------------------------------------------


@dataclass
class Outcome:
    """A run's layout: its PDF, page texts and anchors (pages counted from its first), and the
    number of its first page in the book."""

    start: int
    laid: Laid
    html_key: str
    #: Paginated only (`_Pool.lay_out`): its page count, no PDF.
    probe: bool = False


@dataclass
class _State:
    runs: tuple[Run, ...]
    htmls: list[str]
    keys: list[str]
    counts: dict[int, int] = field(default_factory=dict)
    starts: dict[int, int] = field(default_factory=dict)
    outcomes: dict[int, Outcome] = field(default_factory=dict)

    def settle_starts(self) -> None:
        start = 1
        for number, run in enumerate(self.runs):
            if (run.left and start % 2) or (not run.left and not start % 2):
                start += 1
            self.starts[number] = start
            if number not in self.counts:
                return
            start += self.counts[number]


def lay_out_book(job: LayoutJob, book: Book, layouts: Layouts, workers: int | None = None) -> tuple[Laid, int]:
    """The book of `job`, split into runs by `applies(job)`, laid out by runs of chapters in
    the processes of `layouts` and joined; also how many runs were laid out (not found kept).
    Raises `NotSettled` when the runs' printed page numbers do not settle (the caller lays
    the book out whole), `parallel.NoResult` when a process died."""
    from .index import fill
    from .join import join

    cache = _cache_dir()
    book_key = _digest([_FORMAT, job.key, job.variant, job.bleed_mm, list(job.families), _settings_key(job)])
    numbers = _read_json(cache / f"{book_key}.numbers.json") or {}
    laid_out = 0
    pool = _Pool(layouts, workers or _workers())
    for _round in range(MAX_ROUNDS):
        htmls = []
        for run in book.runs:
            html = run_html(book, run, numbers)
            if job.index and "fleuron-index" in run.body:
                html = fill(html, job.index, numbers)
            htmls.append(html)
        # A first build's front matter prints none of its numbers right: paginated only.
        front = references(htmls[0])
        probe = frozenset({0} if front and not any(anchor in numbers for anchor in front) else ())
        state = _State(book.runs, htmls, [_digest([book_key, html]) for html in htmls])
        laid_out += pool.lay_out(state, job, cache, probe)
        found = {
            anchor: state.starts[number] + page - 1
            for number in range(len(book.runs))
            for anchor, page in state.outcomes[number].laid.anchors
        }
        marks = {anchor for _, anchors in job.index for anchor in anchors}
        wanted = set().union(*(references(html) for html in htmls)) | marks
        wrong = {a for a in wanted if a in found and numbers.get(a) != found[a]}
        numbers = {a: found[a] for a in sorted(found)}
        if not wrong and not probe:
            break
    else:
        raise NotSettled(_("the page numbers of the contents and references did not settle"))
    _write_json(cache / f"{book_key}.numbers.json", numbers)
    parts = [(state.starts[n], state.outcomes[n].laid) for n in range(len(book.runs))]
    pdf = join(parts, job, _blank(book, job, layouts, cache, book_key) if _has_marks(job.html) else None)
    texts: list[str] = []
    for start, laid in parts:
        texts += [""] * (start - 1 - len(texts)) + list(laid.page_texts)
    return Laid(pdf, tuple(texts), tuple(sorted(numbers.items(), key=lambda item: (item[1], item[0])))), laid_out


def _has_marks(html: str) -> bool:
    """Whether the book's pages have crop marks (`--marks`: `pdf._book_geometry`)."""
    return re.search(r"\bmarks:\s*(?!none)[a-z]", html) is not None


#: A document whose second page is a blank left-hand page, as WeasyPrint makes one in a book.
_BLANK_BODY = '<div style="break-after: right"></div>\n<p>&#8203;</p>\n'


def _blank(book: Book, job: LayoutJob, layouts: Layouts, cache: Path, book_key: str) -> Laid:
    """A blank page as WeasyPrint lays one out in the book (with its crop marks), for the pages
    the join puts between runs: the second page of a small document of the book's styles."""
    html = run_html(book, Run("blank", _BLANK_BODY), {})
    key = _digest([book_key, html])
    kept = _kept(cache, key)
    if kept is not None:
        return kept.laid
    process = layouts.process(worker_name(0))
    process.send(replace(job, html=html, index=(), finish=False))
    laid = process.result()
    _keep(cache, key, Outcome(1, laid, key))
    return laid


def start_early(layouts: Layouts, sources: Sequence[Path]) -> None:
    """For a manuscript long enough to be laid out by runs of chapters (a few runs' worth of
    text), the layout processes besides the book's, started now: they import WeasyPrint while
    the manuscript is read. A shorter one starts them only if it comes to that."""
    if not (layouts.apart and other_processes() and os.environ.get("FLEURON_CHAPTERS", "").strip() != "0"):
        return
    size = 0
    for source in sources:
        with suppress(OSError):
            size += source.stat().st_size
    if size >= RUN_CHARS:
        for number in range(1, _workers()):
            layouts.start(worker_name(number))


def _workers() -> int:
    return max(1, min(cores(), 4))


def _settings_key(job: LayoutJob) -> str:
    """What decides a run's layout besides its HTML (`layout.settings_digest`), and the time
    stamped into its fonts."""
    digest = settings_digest(job)
    digest.update(str(job.release).encode())
    return digest.hexdigest()


def _digest(parts: Sequence[Any]) -> str:
    return hashlib.sha256(json.dumps(parts, default=str).encode("utf-8")).hexdigest()[:32]


def _cache_dir() -> Path:
    from ..storage import user_cache_dir

    return user_cache_dir("chapters")


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_json(path: Path, value: Any) -> None:
    from ..storage import write_atomically

    with suppress(OSError):
        write_atomically(path, json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8"))


def _kept(cache: Path, key: str) -> Outcome | None:
    try:
        with (cache / f"{key}.run").open("rb") as file:
            outcome: Outcome = pickle.load(file)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ValueError):
        return None
    return outcome


def _keep(cache: Path, key: str, outcome: Outcome) -> None:
    from ..storage import write_atomically

    with suppress(OSError):
        write_atomically(cache / f"{key}.run", pickle.dumps(outcome, pickle.HIGHEST_PROTOCOL))
        kept = sorted(cache.glob("*.run"), key=lambda entry: entry.stat().st_mtime_ns, reverse=True)
        for old in kept[_KEPT:]:
            old.unlink(missing_ok=True)


class _Pool:
    """The layout processes of the build (`parallel.Layouts`: the book's, started before the
    manuscript was read, and a few more), each laying out one run after another."""

    def __init__(self, layouts: Layouts, size: int) -> None:
        self.layouts = layouts
        self.size = size
        self.workers: list[LayoutProcess] = []
        #: The first page's number given to the run each process lays out.
        self.given: dict[LayoutProcess, int] = {}

    def lay_out(self, state: _State, job: LayoutJob, cache: Path, probe: frozenset[int]) -> int:
        """Lay out the runs of `state` that are not kept; fill `state.outcomes`. Returns how
        many were laid out. A layout is taken once its first page's number is known to be the
        one it was given (`settle`): a kept run's, or one given before the runs ahead of it
        were all paginated (so that no process waits on a run no process has). The runs in
        `probe` (the front matter, the first time: its contents print numbers not known yet)
        are only paginated, for their page count, and laid out in the next round."""
        done: dict[int, Outcome] = {}
        for number, key in enumerate(state.keys):
            outcome = _kept(cache, key)
            if outcome is not None:
                done[number] = outcome
        guesses = {number: outcome.laid.pages for number, outcome in done.items()}
        todo = [number for number in range(len(state.runs)) if number not in done]

        def settle() -> None:
            state.settle_starts()
            for number in sorted(done):
                if number not in state.starts:
                    break
                outcome = done.pop(number)
                if outcome.start == state.starts[number]:
                    state.outcomes[number] = outcome
                    state.counts[number] = outcome.laid.pages
                    state.settle_starts()
                else:
                    state.counts.pop(number, None)
                    todo.append(number)
                    break

        def guessed_start(number: int) -> int:
            counts = {**guesses, **state.counts}
            start = 1
            for n, run in enumerate(state.runs[: number + 1]):
                start += (start % 2 == 0) != run.left
                if n < number:
                    start += counts.get(n, 0)
            return start

        count = 0
        selector = selectors.DefaultSelector()
        busy: dict[LayoutProcess, int] = {}
        waiting: dict[LayoutProcess, int] = {}
        try:
            while len(state.outcomes) < len(state.runs):
                settle()
                todo.sort()
                for worker in self._idle(busy, selector, len(todo)):
                    number = todo.pop(0)
                    busy[worker] = number
                    worker.post(("job", replace(job, html=state.htmls[number], index=(), finish=False)))
                    count += 1
                for worker, number in sorted(waiting.items(), key=lambda item: item[1]):
                    if number in state.starts:
                        self.given[worker] = state.starts[number]
                    elif len(waiting) == len(busy):  # all wait: the first is given a guess
                        self.given[worker] = guessed_start(number)
                    else:
                        continue
                    worker.post(("start", self.given[worker]))
                    del waiting[worker]
                if not busy:
                    if len(state.outcomes) < len(state.runs) and not todo:
                        raise NotSettled(_("the book's runs of chapters could not all be laid out"))
                    continue
                for ready, _events in selector.select():
                    worker = ready.data
                    message = worker.receive()
                    number = busy[worker]
                    if message[0] == "paginated" and number in probe and number == 0:
                        worker.post(("stop",))  # its pages counted: the first run starts on page 1
                        outcome = Outcome(1, Laid(b"", ("",) * message[1]), state.keys[number], probe=True)
                        done[number] = outcome
                        guesses[number] = message[1]
                    elif message[0] == "paginated":
                        state.counts[number] = message[1]
                        waiting[worker] = number
                    elif message[0] == "stopped":
                        del busy[worker]
                    elif message[0] == "done":
                        del busy[worker]
                        for name, level, text in message[2]:
                            logging.getLogger(name).log(level, "%s", text)
                        outcome = Outcome(self.given[worker], message[1], state.keys[number])
                        _keep(cache, state.keys[number], outcome)
                        state.counts.pop(number, None)
                        done[number] = outcome
                        guesses[number] = outcome.laid.pages
                    else:
                        del busy[worker]
                        raise message[1]
            for worker in busy:  # a probe that has yet to say it stopped
                while worker.receive()[0] != "stopped":
                    pass
        finally:
            selector.close()
        return count

    def _idle(
        self, busy: Mapping[LayoutProcess, int], selector: selectors.BaseSelector, wanted: int
    ) -> list[LayoutProcess]:
        """The processes free for a new run, started as needed (at most `size`)."""
        while wanted and len(self.workers) < self.size and len(self.workers) - len(busy) < wanted:
            worker = self.layouts.process(worker_name(len(self.workers)))
            self.workers.append(worker)
        for worker in self.workers:
            with suppress(KeyError, ValueError):
                selector.register(worker.output, selectors.EVENT_READ, worker)
        return [worker for worker in self.workers if worker not in busy][:wanted]


def worker_name(number: int) -> str:
    """The name of the `number`th layout process (`parallel.Layouts`): the first is the book's."""
    return "book" if number == 0 else f"run{number}"


class NotSettled(FleuronError):
    """The runs' layouts did not agree (their printed page numbers, rounds after rounds): the
    book is laid out whole instead."""


class Stopped(Exception):
    """A run's layout stopped once paginated: only its page count was wanted."""


# --- The other processes ---------------------------------------------------------------


@contextmanager
def numbered_from(first_page: Callable[[int], int]) -> Iterator[None]:
    """While the block runs, WeasyPrint's margin boxes (made once the whole document is
    paginated) count pages from the number `first_page` gives for the page count."""
    import weasyprint.layout as layout_module

    make_all_pages = layout_module.make_all_pages
    make_margin_boxes = layout_module.make_margin_boxes
    told: dict[int, int] = {}
    paginated: dict[int, int] = {}

    def all_pages(context: Any, *args: Any, **kwargs: Any) -> Any:
        pages = list(make_all_pages(context, *args, **kwargs))
        paginated[id(context)] = len(pages)
        told.pop(id(context), None)  # each layout asks (a second one may paginate otherwise)
        return pages

    def margin_boxes(context: Any, page: Any, state: Any) -> Any:
        if id(context) not in told:
            told[id(context)] = first_page(paginated[id(context)]) - 1
        offset = told[id(context)]
        if offset:
            quotes, counters, scopes, groups = state
            counters = {**counters, "page": [value + offset for value in counters.get("page", [1])]}
            state = (quotes, counters, scopes, groups)
        return make_margin_boxes(context, page, state)

    layout_module.make_all_pages = all_pages
    layout_module.make_margin_boxes = margin_boxes
    try:
        yield
    finally:
        layout_module.make_all_pages = make_all_pages
        layout_module.make_margin_boxes = make_margin_boxes
