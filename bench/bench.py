"""Fleuron's costs, as ratios against a baseline measured in the same run (alternating rounds,
medians), so that the machine's speed cancels out. Run with `make bench`.

(a) `fleuron build --format pdf` against WeasyPrint alone on the HTML `--format html` wrote;
(b) `fleuron build --format epub` against pandoc (Debian's package, when installed);
(c) the article ×1, ×10 and ×20 (its body repeated): time and peak memory of a full build;
(d) a rebuild with nothing changed, against a full build;
(e) the full build (EPUB, book, handout) against the book PDF alone;
(f) linearity: the article ×1, ×2 and ×4, each against the one half its size (t(2x)/t(x), 2
    when the cost per megabyte is constant, less with fixed costs), for the full build and for the typography alone.
    `--only linear` runs this measure alone.
(g) a catalogue (`fleuron catalog build`) of 8 short titles (EPUB and book PDF): titles per
    minute with 1 and 2 local processes and on a local Dask cluster of 2 workers (one thread
    each), as ratios; a run with nothing changed over 100 titles; the peak memory of the
    command's own process and of a pool process with 50 and 200 tiny titles, as a ratio, and the
    feeds' size per title. `--only catalog` runs it alone.
(h) the long book (bench/novel/, Verne's novel, 37 chapter files, about 300 A5 pages): `build
    --format pdf` against WeasyPrint alone making the same tagged PDF from the HTML `--format
    html` wrote, in wall time and in the CPU time of all their processes (which a loaded machine
    disturbs less), each build with a cache folder of its own; a one-paragraph edit in a late
    chapter and an unchanged rebuild, against the full build; the peak memory of all processes
    building the article ×20; then the CPU time of each stage of one in-process build, as shares
    of it. `--only long` runs it alone.
Also: the French typography engine's share of an in-process build. Reports; asserts nothing.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import functools
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MANUSCRIPT = ROOT / "manuscript" / "article.md"
NOVEL = ROOT / "bench" / "novel"
FLEURON = [sys.executable, "-m", "fleuron", "build", "-q"]
WEASYPRINT_ALONE = "import sys, weasyprint; weasyprint.HTML(filename=sys.argv[1]).write_pdf(sys.argv[2])"
#: The same, asked for what Fleuron asks (a tagged PDF/UA-1 with a file identifier): a baseline
#: that makes the PDF Fleuron makes, less Fleuron's own work.
WEASYPRINT_SAME = WEASYPRINT_ALONE.replace(
    "sys.argv[2])", "sys.argv[2], pdf_variant='pdf/ua-1', pdf_tags=True, pdf_identifier=b'0' * 32)"
)


def run(command: list[str], env: dict[str, str] | None = None, memory: bool = False) -> tuple[float, int]:
    """Wall seconds and peak memory (MiB) of one command, in a process of its own: the largest
    process's peak; with `memory`, the most that the command's processes held at once (a build
    lays out in two or three), sampled every 5 ms from /proc (not while timing the others: the
    sampling takes a core's time from them)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    peak = [0]
    sampler = threading.Thread(target=_sample_tree, args=(process, peak), daemon=True)
    if memory:
        sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if memory:
        sampler.join()
    if status != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{process.stderr.read().decode() if process.stderr else ''}")
    return seconds, max(peak[0], usage.ru_maxrss * 1024) // (1024 * 1024)


def _sample_tree(process: subprocess.Popen[bytes], peak: list[int]) -> None:
    while process.returncode is None:
        peak[0] = max(peak[0], _tree_rss(process.pid))
        time.sleep(0.005)


def _tree_rss(pid: int) -> int:
    """Bytes resident in `pid` and its descendants, now (0 without /proc)."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += next(int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmRSS:"))
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, StopIteration, ValueError):
            continue
    return total


def compare(
    rounds: int, commands: dict[str, Callable[[Path], list[str]]], memory: bool = False
) -> dict[str, tuple[float, int]]:
    """Median time and peak memory of each command, run in turn, each round in new folders
    (its cache's too)."""
    results: dict[str, list[tuple[float, int]]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            with tempfile.TemporaryDirectory() as out:  # no run of chapters kept from another round
                results[name].append(run(command(Path(out)), _own_cache(Path(out)), memory))
    return {
        name: (statistics.median(t for t, _ in values), max(m for _, m in values)) for name, values in results.items()
    }


def repeated(times: int, folder: Path) -> Path:
    """The article with its body `times` over (the front matter once)."""
    text = MANUSCRIPT.read_text(encoding="utf-8")
    front, body = text.split("\n---\n", 1)
    target = folder / f"article-x{times}.md"
    target.write_text(front + "\n---\n" + body * times, encoding="utf-8")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", choices=["linear", "catalog", "long"], help="run one measure alone")
    arguments = parser.parse_args()
    rounds = arguments.rounds
    rows: list[tuple[str, str, str]] = []
    if arguments.only == "linear":
        compileall.compile_dir(ROOT / "src", quiet=1)
        _report(linearity(rounds), rounds)
        return
    if arguments.only == "catalog":
        compileall.compile_dir(ROOT / "src", quiet=1)
        _report(catalogue(rounds), rounds)
        return
    if arguments.only == "long":
        compileall.compile_dir(ROOT / "src", quiet=1)
        _report(long_book(rounds), rounds)
        return
    # Fleuron's modules compiled, as WeasyPrint's are by pip: an editable install run with
    # PYTHONDONTWRITEBYTECODE=1 would otherwise compile them again in every process measured.
    compileall.compile_dir(ROOT / "src", quiet=1)
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        subprocess.run([*FLEURON, str(MANUSCRIPT), "-o", str(folder), "--format", "html"], check=True)
        (html,) = folder.glob("*.html")

        a = compare(rounds, {
            "fleuron pdf": lambda out: [*FLEURON, str(MANUSCRIPT), "-o", str(out), "--format", "pdf"],
            "weasyprint": lambda out: [sys.executable, "-c", WEASYPRINT_ALONE, str(html), str(out / "w.pdf")],
            "weasyprint same": lambda out: [sys.executable, "-c", WEASYPRINT_SAME, str(html), str(out / "w.pdf")],
        })  # fmt: skip
        rows.append(_ratio("(a) PDF / WeasyPrint alone", a["fleuron pdf"][0], a["weasyprint"][0], "≤ 1.05"))
        same = a["weasyprint same"][0]
        rows.append(_ratio("(a) … / WeasyPrint, same options", a["fleuron pdf"][0], same, "(tagged, /ID)"))

        if shutil.which("pandoc"):
            b = compare(rounds, {
                "fleuron epub": lambda out: [*FLEURON, str(MANUSCRIPT), "-o", str(out), "--format", "epub"],
                "pandoc": lambda out: ["pandoc", str(MANUSCRIPT), "-o", str(out / "p.epub")],
            })  # fmt: skip
            rows.append(_ratio("(b) EPUB / pandoc", b["fleuron epub"][0], b["pandoc"][0], "≤ 1.5"))
        else:
            rows.append(("(b) EPUB / pandoc", "pandoc not installed", "≤ 1.5"))

        sizes = {times: repeated(times, folder) for times in (1, 10, 20)}
        c = compare(max(1, rounds // 2), {f"×{times}": _full_build(source) for times, source in sizes.items()})
        for times in (10, 20):
            rows.append(_ratio(f"(c) ×{times} / ×1, time", c[f"×{times}"][0], c["×1"][0], f"≤ {times}"))
        m = compare(1, {f"×{times}": _full_build(source) for times, source in sizes.items() if times in (1, 20)}, True)
        rows.append(("(c) ×20 peak memory, all processes", f"{m['×20'][1]} MiB (×1: {m['×1'][1]} MiB)", "≤ 1536 MiB"))

        def rebuild(out: Path) -> list[str]:
            subprocess.run([*FLEURON, str(MANUSCRIPT), "-o", str(out)], check=True)  # not timed
            return [*FLEURON, str(MANUSCRIPT), "-o", str(out)]

        d = compare(rounds, {
            "full": lambda out: [*FLEURON, str(MANUSCRIPT), "-o", str(out)],
            "book": lambda out: [*FLEURON, str(MANUSCRIPT), "-o", str(out), "--format", "pdf"],
        })  # fmt: skip
        again, serial = [], []
        for _ in range(rounds):
            with tempfile.TemporaryDirectory() as out:
                again.append(run(rebuild(Path(out)))[0])
            with tempfile.TemporaryDirectory() as out:  # every layout in one process, one after the other
                full = [*FLEURON, str(MANUSCRIPT), "-o", out]
                serial.append(run(full, {**os.environ, "FLEURON_JOBS": "1"})[0])
        rows.append(_ratio("(d) unchanged rebuild / full build", statistics.median(again), d["full"][0], "≤ 0.05"))
        rows.append(_ratio("(e) full build / book PDF alone", d["full"][0], d["book"][0], "≤ 1.3"))
        rows.append(_ratio("(e) … with FLEURON_JOBS=1", statistics.median(serial), d["book"][0], "(one process)"))
    rows += linearity(rounds)
    rows += catalogue(rounds)
    typography, build = typography_share(rounds)
    rows.append(_ratio("typography / in-process build", typography, build, "≤ 0.05"))
    rows += long_book(rounds)
    _report(rows, rounds)


def _report(rows: list[tuple[str, str, str]], rounds: int) -> None:
    from importlib.metadata import version

    print(
        f"{time.strftime('%Y-%m-%d')}, {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, WeasyPrint {version('weasyprint')}, {rounds} rounds"
    )
    print(f"{'measure':38} {'result':34} target")
    for name, result, target in rows:
        print(f"{name:38} {result:34} {target}")


def linearity(rounds: int) -> list[tuple[str, str, str]]:
    """(f) The article ×1, ×2, ×4: each full build (a process of its own) and its typography
    (in this process) against the one half its size. Bounded inputs (`checks.py`'s limits) should
    cost the same per megabyte: a ratio of 2."""
    from fleuron.pipeline import load
    from fleuron.typography import typographize

    rows = []
    with tempfile.TemporaryDirectory() as work:
        sizes = {times: repeated(times, Path(work)) for times in (1, 2, 4)}
        builds = compare(rounds, {f"×{times}": _full_build(source) for times, source in sizes.items()})
        typography: dict[int, float] = {}
        for times, source in sizes.items():
            doc = load(source)
            typography[times] = statistics.median(_timed(functools.partial(typographize, doc)) for _ in range(rounds))
        for times in (2, 4):
            size = sizes[times].stat().st_size / 1e6
            name = f"(f) build ×{times} / ×{times // 2} ({size:.2f} MB)"
            rows.append(_ratio(name, builds[f"×{times}"][0], builds[f"×{times // 2}"][0], "≤ 2"))
        for times in (2, 4):
            name = f"(f) typography ×{times} / ×{times // 2}"
            rows.append(_ratio(name, typography[times], typography[times // 2], "≤ 2"))
    return rows


def catalogue(rounds: int) -> list[tuple[str, str, str]]:
    """(g) A catalogue of 8 short titles (the article's parts, each twice under two titles), EPUB
    and book PDF, built from scratch with `--jobs 1`, `--jobs 2` and on a Dask cluster of two
    one-thread workers started beforehand (their start is not timed; each first imports
    WeasyPrint, as each local process does); then 100 tiny titles built, and built again."""
    catalog = [sys.executable, "-m", "fleuron", "catalog", "build", "-q"]
    with tempfile.TemporaryDirectory() as work, _dask_cluster(Path(work)) as address:
        folder = _titles(Path(work) / "catalogue")
        count = len(list(folder.iterdir())) - 1  # less catalog.toml
        times = compare(max(1, rounds // 2), {
            "jobs 1": lambda out: [*catalog, str(folder), "-o", str(out), "--jobs", "1"],
            "jobs 2": lambda out: [*catalog, str(folder), "-o", str(out), "--jobs", "2"],
            "dask 2": lambda out: [*catalog, str(folder), "-o", str(out), "--scheduler", address],
        })  # fmt: skip
        per_minute = {name: count * 60 / seconds for name, (seconds, _) in times.items()}
        rows = [(f"(g) catalogue, {name}", f"{per_minute[name]:.1f} titles/min ({times[name][0]:.1f} s)", "")
                for name in times]  # fmt: skip
        rows.append(_ratio("(g) 2 jobs / 1 job, time", times["jobs 2"][0], times["jobs 1"][0], "≈ 0.5 on 2 free cores"))
        rows.append(_ratio("(g) Dask 2 workers / 2 jobs, time", times["dask 2"][0], times["jobs 2"][0], "≈ 1"))
        many = _titles(Path(work) / "many", 100, '"epub"')
        out = Path(work) / "many-out"
        subprocess.run([*catalog, str(many), "-o", str(out)], check=True)  # not timed
        unchanged = statistics.median(run([*catalog, str(many), "-o", str(out)])[0] for _ in range(rounds))
        rows.append(("(g) 100 titles, nothing changed", f"{unchanged:.3f} s", "< 1 s"))
    return rows + catalogue_memory()


#: `fleuron catalog build` in this process, which then says its own peak resident memory and
#: its processes' (the largest), from `getrusage`, in KiB: a process's own peak is not its
#: children's, which `wait4` would mix in.
PEAK_RSS = (
    "import resource, sys; from fleuron.cli import main; code = main(sys.argv[1:]); "
    "own, pool = (resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)); "
    "print('peak', own, pool, file=sys.stderr); sys.exit(code)"
)


def catalogue_memory(count: int = 50) -> list[tuple[str, str, str]]:
    """(g) Memory with the catalogue's size: `count` and 4 × `count` tiny titles (EPUB only)
    built with 2 local processes, the peak resident memory of the command's own process and of
    its largest pool process, as ratios (bounded: ≈ 1); and the catalogue's files, per title,
    and what they would weigh for 10 000 titles."""
    rows: list[tuple[str, str, str]] = []
    peaks: dict[int, tuple[int, int]] = {}
    sizes: dict[int, dict[str, int]] = {}
    feeds = ("opds.json", "catalog.xml", "index.html", "manifest.json")
    with tempfile.TemporaryDirectory() as work:
        for titles in (count, 4 * count):
            folder = _titles(Path(work) / f"catalogue-{titles}", titles, '"epub"')
            out = Path(work) / f"out-{titles}"
            build = ["catalog", "build", "-q", str(folder), "-o", str(out), "--jobs", "2"]
            done = subprocess.run([sys.executable, "-c", PEAK_RSS, *build], capture_output=True, text=True, check=True)
            own, pool = (int(value) for value in done.stderr.split("peak ")[-1].split()[:2])
            peaks[titles] = (own, pool)
            sizes[titles] = {name: (out / name).stat().st_size for name in feeds}
    small, large = peaks[count], peaks[4 * count]
    for index, who in enumerate(("command's process", "largest pool process")):
        mib = f"{large[index] / 1024:.0f} MiB / {small[index] / 1024:.0f} MiB"
        rows.append((f"(g) peak memory, {who}, {4 * count} / {count} titles",
                     f"{large[index] / small[index]:.3f} ({mib})", "≈ 1"))  # fmt: skip
    for name in feeds:
        per_title = (sizes[4 * count][name] - sizes[count][name]) / (3 * count)
        total = f"10 000 titles: {per_title * 10_000 / 1e6:.1f} MB"
        rows.append((f"(g) {name}, per title", f"{per_title / 1024:.2f} KiB ({total})", ""))
    return rows


def _titles(folder: Path, count: int = 8, formats: str = '"epub", "pdf"') -> Path:
    """A catalogue of `count` titles cut from the article's parts (tiny ones for more than 8)."""
    body = MANUSCRIPT.read_text(encoding="utf-8").split("\n---\n", 1)[1]
    parts = ["## " + part for part in body.split("\n## ")[1:]]
    for number in range(count):
        text = parts[number % len(parts)] if count <= 8 else f"Le texte du titre {number} : court.\n"
        title = folder / f"titre-{number:04d}"
        title.mkdir(parents=True)
        front = f"---\ntitle: Titre {number}\nlang: fr\ndate: 2026-01-{1 + number % 28:02d}\n---\n\n"
        (title / "livre.md").write_text(front + text, encoding="utf-8")
    (folder / "catalog.toml").write_text(f'[catalog]\ntitle = "Banc"\nformats = [{formats}]\n', encoding="utf-8")
    return folder


@contextlib.contextmanager
def _dask_cluster(folder: Path) -> Iterator[str]:
    """`dask scheduler` and two `dask worker` processes (one thread each) on this machine."""
    from distributed import Client

    dask = str(Path(sys.executable).parent / "dask")
    address_file = folder / "scheduler.json"
    quiet = subprocess.DEVNULL
    scheduler = [dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                 "--scheduler-file", str(address_file)]  # fmt: skip
    processes = [subprocess.Popen(scheduler, cwd=folder, stdout=quiet, stderr=quiet)]
    try:
        deadline = time.monotonic() + 60
        while not (address_file.is_file() and address_file.stat().st_size) and time.monotonic() < deadline:
            time.sleep(0.1)
        address = json.loads(address_file.read_text())["address"]
        for number in (1, 2):
            worker = [dask, "worker", address, "--nthreads", "1", "--no-dashboard", "--local-directory",
                      str(folder / f"worker-{number}")]  # fmt: skip
            processes.append(subprocess.Popen(worker, cwd=folder, stdout=quiet, stderr=quiet))
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in reversed(processes):
            process.wait()


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def _full_build(source: Path) -> Callable[[Path], list[str]]:
    return lambda out: [*FLEURON, str(source), "-o", str(out)]


def _ratio(name: str, value: float, baseline: float, target: str) -> tuple[str, str, str]:
    return name, f"{value / baseline:.3f} ({value:.3f} s / {baseline:.3f} s)", target


def long_book(rounds: int) -> list[tuple[str, str, str]]:
    """(h) The novel's book PDF against WeasyPrint making the same PDF from the same HTML, in
    one process: wall time, and CPU time of all the processes (a build lays out in several).
    Each build has a cache folder of its own (XDG_CACHE_HOME): a full build lays out every run
    of chapters, as a first build does. Then, against the full build: a one-paragraph edit in a
    late chapter (its run laid out again, the others kept) and a rebuild with nothing changed;
    the peak memory of all processes building the article ×20; and where one in-process build
    spends its CPU time, stage by stage."""
    rows = []
    with tempfile.TemporaryDirectory() as work:
        subprocess.run([*FLEURON, str(NOVEL), "-o", work, "--format", "html"], check=True)
        (html,) = Path(work).glob("*.html")
        commands: dict[str, Callable[[Path], list[str]]] = {
            "fleuron": lambda out: [*FLEURON, str(NOVEL), "-o", str(out), "--format", "pdf"],
            "weasyprint": lambda out: [sys.executable, "-c", WEASYPRINT_SAME, str(html), str(out / "w.pdf")],
        }
        wall: dict[str, list[float]] = {name: [] for name in commands}
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        edited: list[float] = []
        unchanged: list[float] = []
        for _ in range(rounds):
            for name, command in commands.items():
                with tempfile.TemporaryDirectory() as out:
                    seconds, processor = _cpu_run(command(Path(out)), _own_cache(Path(out)))
                wall[name].append(seconds)
                cpu[name].append(processor)
            with tempfile.TemporaryDirectory() as folder:
                edit, again = _edited_rebuild(Path(folder))
                edited.append(edit)
                unchanged.append(again)
        with tempfile.TemporaryDirectory() as out:
            article = repeated(20, Path(out))
            memory = run([*FLEURON, str(article), "-o", str(Path(out) / "dist")], _own_cache(Path(out)), True)[1]
    fleuron, weasyprint = (statistics.median(wall[name]) for name in commands)
    rows.append(_ratio("(h) long book PDF / WeasyPrint, same PDF", fleuron, weasyprint, "≤ 0.75 (issue 18)"))
    full = fleuron
    fleuron, weasyprint = (statistics.median(cpu[name]) for name in commands)
    rows.append(_ratio("(h) … CPU time of all processes", fleuron, weasyprint, "(CPU s)"))
    rows.append(_ratio("(h) one paragraph edited, late chapter", statistics.median(edited), full, "≤ 0.30 (issue 18)"))
    rows.append(_ratio("(h) unchanged rebuild / full build", statistics.median(unchanged), full, "≤ 0.05 (issue 18)"))
    rows.append(("(h) article ×20, peak memory, all processes", f"{memory} MiB", "≤ 1536 MiB (issue 18)"))
    stages = long_book_stages(max(1, rounds // 2))
    total = sum(stages.values())
    for name, seconds in stages.items():
        rows.append(_ratio(f"(h) {name} / in-process build", seconds, total, "(CPU s)"))
    return rows


def _own_cache(folder: Path) -> dict[str, str]:
    """The environment with a cache folder of the build's own: no run of chapters kept."""
    return {**os.environ, "XDG_CACHE_HOME": str(folder / "cache")}


def _edited_rebuild(folder: Path) -> tuple[float, float]:
    """A copy of the novel built (not timed), then one paragraph of a late chapter changed
    (a word added: its run's page count stays) and the book PDF built again; then built again
    with nothing changed. Wall seconds of both rebuilds."""
    novel = folder / "novel"
    shutil.copytree(NOVEL, novel)
    env = _own_cache(folder)
    build = [*FLEURON, str(novel), "-o", str(folder / "dist"), "--format", "pdf"]
    subprocess.run(build, check=True, env=env)
    late = sorted((novel / "chapitres").glob("*.md"))[-3]
    text = late.read_text(encoding="utf-8")
    paragraphs = text.split("\n\n")
    middle = len(paragraphs) // 2
    paragraphs[middle] = paragraphs[middle].replace(" ", " bien ", 1)
    late.write_text("\n\n".join(paragraphs), encoding="utf-8")
    edit = _cpu_run(build, env)[0]
    return edit, _cpu_run(build, env)[0]


def _cpu_run(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds, and CPU seconds of the command's process and of the processes it waited
    for (the layout's), from `wait4`'s resource usage."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise SystemExit(f"failed: {' '.join(command)}")
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


def long_book_stages(rounds: int) -> dict[str, float]:
    """The CPU time (median of `rounds`) of each stage of the novel's book PDF and ebook page
    list, in this process, as the pipeline runs them: reading the 37 files and joining them, the
    typography, the book's HTML, the layout job (the book's fonts), WeasyPrint's layout
    (`render`), the page texts for the page list (`layout.page_texts`), the PDF's writing
    (WeasyPrint's, with Fleuron's finisher, timed apart), and the page map (`pagemap.py`)."""
    import weasyprint

    from fleuron import pipeline
    from fleuron.config import load_config
    from fleuron.writers import layout
    from fleuron.writers.pagemap import page_breaks
    from fleuron.writers.pdf import book_html, book_job

    config = load_config(NOVEL / "fleuron.toml")
    spent: dict[str, list[float]] = {}

    def timed(name: str, action: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            try:
                return action(*args, **kwargs)
            finally:
                spent.setdefault(name, []).append(time.process_time() - start)

        return run

    # The functions the pipeline calls, each wrapped where it is looked up when called.
    patches: dict[tuple[Any, str], str] = {
        (pipeline, "typographize"): "typography",
        (layout, "page_texts"): "page texts",
        (weasyprint.HTML, "render"): "WeasyPrint layout",
        (weasyprint.document.Document, "write_pdf"): "PDF writing (with finisher)",
    }
    original = {(owner, name): getattr(owner, name) for owner, name in [*patches, (layout, "_finisher")]}

    def finisher(*args: Any) -> Any:
        return timed("finisher", original[layout, "_finisher"](*args))

    for (owner, name), label in patches.items():
        setattr(owner, name, timed(label, original[owner, name]))
    setattr(layout, "_finisher", finisher)  # noqa: B010 (an assignment: mypy would want its exact type)
    try:
        for _ in range(rounds):
            doc = timed("reading, joining and typography", pipeline.load_book)(config.sources, config.defaults)
            html = timed("book HTML", book_html)(doc)
            job = timed("layout job (fonts)", book_job)(doc, html=html)
            laid = layout.lay_out(job)
            timed("page map", page_breaks)(doc, list(laid.page_texts))
    finally:
        for (owner, name), function in original.items():
            setattr(owner, name, function)
    medians = {name: statistics.median(values) for name, values in spent.items()}
    medians["reading and joining"] = medians.pop("reading, joining and typography") - medians["typography"]
    medians["PDF writing (with finisher)"] -= medians["finisher"]
    medians["PDF writing"] = medians.pop("PDF writing (with finisher)")
    return medians


def typography_share(rounds: int) -> tuple[float, float]:
    """The French typography engine's time, and the whole build's (typography then every
    output), both in this process: medians."""
    from fleuron.pipeline import load, render
    from fleuron.typography import typographize
    from fleuron.writers.formats import DEFAULT_FORMATS

    doc = load(MANUSCRIPT)
    typography, build = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        corrected = typographize(doc)
        middle = time.perf_counter()
        render(corrected, DEFAULT_FORMATS)
        typography.append(middle - start)
        build.append(time.perf_counter() - start)
    return statistics.median(typography), statistics.median(build)


if __name__ == "__main__":
    main()
