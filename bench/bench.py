"""Fleuron's costs, as ratios against a baseline measured in the same run (alternating rounds,
medians), so that the machine's speed cancels out. Run with `make bench`.

(a) `fleuron build --format pdf` against WeasyPrint alone on the HTML `--format html` wrote;
(b) `fleuron build --format epub` against pandoc (Debian's package, when installed);
(c) the article ×1, ×10 and ×20 (its body repeated): time and peak memory of a full build;
(d) a rebuild with nothing changed, against a full build;
(e) the full build (EPUB, book, handout) against the book PDF alone.
Also: the French typography engine's share of an in-process build. Reports; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MANUSCRIPT = ROOT / "manuscript" / "article.md"
FLEURON = [sys.executable, "-m", "fleuron", "build", "-q"]
WEASYPRINT_ALONE = "import sys, weasyprint; weasyprint.HTML(filename=sys.argv[1]).write_pdf(sys.argv[2])"


def run(command: list[str]) -> tuple[float, int]:
    """Wall seconds and peak memory (MiB) of one command, in a process of its own."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{process.stderr.read().decode() if process.stderr else ''}")
    return seconds, usage.ru_maxrss // 1024


def compare(rounds: int, commands: dict[str, Callable[[Path], list[str]]]) -> dict[str, tuple[float, int]]:
    """Median time and peak memory of each command, run in turn, each round in new folders."""
    results: dict[str, list[tuple[float, int]]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            with tempfile.TemporaryDirectory() as out:
                results[name].append(run(command(Path(out))))
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
    rounds = parser.parse_args().rounds
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        subprocess.run([*FLEURON, str(MANUSCRIPT), "-o", str(folder), "--format", "html"], check=True)
        (html,) = folder.glob("*.html")

        a = compare(rounds, {
            "fleuron pdf": lambda out: [*FLEURON, str(MANUSCRIPT), "-o", str(out), "--format", "pdf"],
            "weasyprint": lambda out: [sys.executable, "-c", WEASYPRINT_ALONE, str(html), str(out / "w.pdf")],
        })  # fmt: skip
        rows.append(_ratio("(a) PDF / WeasyPrint alone", a["fleuron pdf"][0], a["weasyprint"][0], "≤ 1.05"))

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
        rows.append(("(c) ×20 peak memory", f"{c['×20'][1]} MiB (×1: {c['×1'][1]} MiB)", "≤ 1536 MiB"))

        def rebuild(out: Path) -> list[str]:
            subprocess.run([*FLEURON, str(MANUSCRIPT), "-o", str(out)], check=True)  # not timed
            return [*FLEURON, str(MANUSCRIPT), "-o", str(out)]

        d = compare(rounds, {
            "full": lambda out: [*FLEURON, str(MANUSCRIPT), "-o", str(out)],
            "book": lambda out: [*FLEURON, str(MANUSCRIPT), "-o", str(out), "--format", "pdf"],
        })  # fmt: skip
        again = []
        for _ in range(rounds):
            with tempfile.TemporaryDirectory() as out:
                again.append(run(rebuild(Path(out)))[0])
        rows.append(_ratio("(d) unchanged rebuild / full build", statistics.median(again), d["full"][0], "≤ 0.05"))
        rows.append(_ratio("(e) full build / book PDF alone", d["full"][0], d["book"][0], "≤ 1.3"))
    typography, build = typography_share(rounds)
    rows.append(_ratio("typography / in-process build", typography, build, "≤ 0.05"))

    print(
        f"{time.strftime('%Y-%m-%d')}, {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"{'measure':38} {'result':34} target")
    for name, result, target in rows:
        print(f"{name:38} {result:34} {target}")


def _full_build(source: Path) -> Callable[[Path], list[str]]:
    return lambda out: [*FLEURON, str(source), "-o", str(out)]


def _ratio(name: str, value: float, baseline: float, target: str) -> tuple[str, str, str]:
    return name, f"{value / baseline:.3f} ({value:.3f} s / {baseline:.3f} s)", target


def typography_share(rounds: int) -> tuple[float, float]:
    """The French typography engine's time, and the whole build's (typography then every
    output), both in this process: medians."""
    from fleuron.config import DEFAULT_FORMATS
    from fleuron.pipeline import load, render
    from fleuron.typography import typographize

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
