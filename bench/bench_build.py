"""Fleuron's cost beside WeasyPrint's, measured in one run with alternating rounds.

    .venv/bin/python bench/bench_build.py [--rounds N]

(a) `fleuron build --format pdf` against WeasyPrint alone on the HTML `--format html` wrote;
(e) the full build (EPUB and PDF) against the PDF alone. Each command runs in a fresh process,
as a user runs it, so imports count. Reports medians and ratios; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MANUSCRIPT = ROOT / "manuscript" / "article.md"

WEASYPRINT_ALONE = """
import sys, weasyprint
weasyprint.HTML(filename=sys.argv[1]).write_pdf(sys.argv[2])
"""


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7)
    rounds = parser.parse_args().rounds
    fleuron = [sys.executable, "-m", "fleuron", "build", str(MANUSCRIPT), "-q", "-o"]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        subprocess.run([*fleuron, str(out), "--format", "html"], check=True)
        (html,) = out.glob("*.html")
        commands = {
            "fleuron pdf": [*fleuron, str(out / "a"), "--format", "pdf"],
            "weasyprint alone": [sys.executable, "-c", WEASYPRINT_ALONE, str(html), str(out / "w.pdf")],
            "fleuron epub+pdf": [*fleuron, str(out / "b"), "--format", "epub,pdf"],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(rounds):  # alternate, so that drift in the machine hits every command alike
            for name, command in commands.items():
                times[name].append(timed(command))
    median = {name: statistics.median(values) for name, values in times.items()}
    for name, value in median.items():
        print(f"{name:18} median {value:6.3f} s over {rounds} rounds")
    print(f"(a) fleuron pdf / weasyprint alone   = {median['fleuron pdf'] / median['weasyprint alone']:.3f}")
    print(f"(e) full build / fleuron pdf alone   = {median['fleuron epub+pdf'] / median['fleuron pdf']:.3f}")
    typography, build = typography_share(rounds)
    share = typography / build
    print(f"typography {typography * 1000:.1f} ms of an in-process full build of {build:.3f} s = {share:.2%}")


def typography_share(rounds: int) -> tuple[float, float]:
    """The French typography engine's time, and the whole build's (typography then every
    output), both in this process: medians."""
    from fleuron.build import DEFAULT_FORMATS, load, render
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
