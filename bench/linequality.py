"""How well a PDF's paragraphs are set, measured on its pages as a typographer reads them
(issue 20): lines ending in a hyphen, runs of 3 hyphenated lines, hyphens on a paragraph's
last full line and on a page's last line, loose lines (justified full lines whose mean word
space is over 0.45 em), the 95th percentile of the mean word space, widows, orphans and
paragraphs' last lines shorter than the indent.

    python bench/linequality.py BOOK.pdf [--em 11] [--indent 1.2] [--json]
    python bench/linequality.py --novel [--rounds 3]

`--novel` builds the long novel's book HTML (bench/novel/, `fleuron build --format html` with
`line_breaking = "greedy"`), lays it out with WeasyPrint as it is (greedy lines) and after
`setlines.set_lines` (total fit), in alternating rounds, and prints both PDFs' figures and the
median CPU times (the setter's included).

Reads the words' boxes with poppler's `pdftotext -bbox-layout`. The running text is the
lines of the most common height (headings, running heads, folios and notes are of other
sizes); a full line reaches the text block's right edge; a paragraph ends at a line that does
not. Reports; asserts nothing (tests/test_linebreak.py asserts on the same figures).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from xml.etree import ElementTree

HYPHENS = ("-", "\u2010", "\u00ad")
XHTML = "{http://www.w3.org/1999/xhtml}"


@dataclass
class TextLine:
    page: int
    left: float
    right: float
    top: float
    height: float
    words: list[tuple[float, float, str]]  # (xMin, xMax, text)

    @property
    def text(self) -> str:
        return " ".join(word for _, _, word in self.words)

    @property
    def hyphenated(self) -> bool:
        return self.words[-1][2].endswith(HYPHENS) and len(self.words[-1][2]) > 1


@dataclass
class Quality:
    lines: int = 0
    hyphenated: int = 0
    runs_of_3: int = 0
    last_full_line_hyphenated: int = 0
    page_last_line_hyphenated: int = 0
    full_lines: int = 0
    loose: int = 0
    space_p95_em: float = 0.0
    space_median_em: float = 0.0
    widows: int = 0
    orphans: int = 0
    paragraphs: int = 0
    short_last_lines: int = 0
    examples: dict[str, list[str]] = field(default_factory=dict)

    def percent(self, count: int, total: int) -> str:
        return f"{100 * count / total:.1f} %" if total else "–"

    def rows(self) -> list[tuple[str, str]]:
        return [
            ("lines of running text", str(self.lines)),
            ("lines ending in a hyphen", self.percent(self.hyphenated, self.lines)),
            ("runs of 3 hyphenated lines", str(self.runs_of_3)),
            ("hyphen on a paragraph's last full line", str(self.last_full_line_hyphenated)),
            ("hyphen on a page's last line", str(self.page_last_line_hyphenated)),
            ("loose lines (mean word space > 0.45 em)", self.percent(self.loose, self.full_lines)),
            ("95th percentile of the mean word space", f"{self.space_p95_em:.2f} em"),
            ("median of the mean word space", f"{self.space_median_em:.2f} em"),
            ("widows", str(self.widows)),
            ("orphans", str(self.orphans)),
            ("last lines shorter than the indent", str(self.short_last_lines)),
        ]


def page_lines(pdf: Path) -> list[list[TextLine]]:
    """Every page's text lines, in reading order."""
    output = subprocess.run(
        ["pdftotext", "-bbox-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    root = ElementTree.fromstring(output)
    pages = []
    for number, page in enumerate(root.iter(f"{XHTML}page"), 1):
        lines = []
        for line in page.iter(f"{XHTML}line"):
            words = [
                (float(w.get("xMin", 0)), float(w.get("xMax", 0)), w.text or "") for w in line.iter(f"{XHTML}word")
            ]
            if not words:
                continue
            top, bottom = float(line.get("yMin", 0)), float(line.get("yMax", 0))
            lines.append(
                TextLine(number, float(line.get("xMin", 0)), float(line.get("xMax", 0)), top, bottom - top, words)
            )
        pages.append(lines)
    return pages


def measure(pdf: Path, em: float = 11.0, indent_em: float = 1.2) -> Quality:
    pages = page_lines(pdf)
    heights = Counter(round(line.height, 1) for lines in pages for line in lines)
    if not heights:
        return Quality()
    body_height = heights.most_common(1)[0][0]
    body = [[line for line in lines if abs(line.height - body_height) <= 0.2] for lines in pages]
    quality = Quality()
    spaces: list[float] = []
    examples: dict[str, list[str]] = {}

    def example(kind: str, line: TextLine) -> None:
        examples.setdefault(kind, [])
        if len(examples[kind]) < 5:
            examples[kind].append(f"p. {line.page}: {line.text}")

    run = 0
    previous_page_last: TextLine | None = None
    previous_full = False
    for lines in body:
        if not lines:
            continue
        rights = sorted(line.right for line in lines)
        lefts = sorted(line.left for line in lines)
        right = rights[int(len(rights) * 0.9)] if len(rights) > 3 else max(rights)
        left = lefts[len(lefts) // 10]
        full = [line.right >= right - 0.6 for line in lines]
        for index, line in enumerate(lines):
            quality.lines += 1
            if line.hyphenated:
                quality.hyphenated += 1
                run += 1
                if run == 3:
                    quality.runs_of_3 += 1
                    example("runs of 3", line)
            else:
                run = 0
            is_full = full[index]
            indented = line.left > left + 0.5 * em * indent_em
            if is_full and len(line.words) > 2:
                gaps = [b[0] - a[1] for a, b in zip(line.words, line.words[1:], strict=False)]
                mean = statistics.fmean(gaps) / em
                quality.full_lines += 1
                spaces.append(mean)
                if mean > 0.45:
                    quality.loose += 1
                    example("loose", line)
            if not is_full and not line.hyphenated:  # a paragraph's last line
                quality.paragraphs += 1
                if line.right - line.left < em * indent_em:
                    quality.short_last_lines += 1
                    example("short last lines", line)
                before = lines[index - 1] if index else previous_page_last
                if before is not None and before.hyphenated and (index or previous_full):
                    quality.last_full_line_hyphenated += 1
                    example("hyphen on a last full line", before)
                if index == 0 and previous_full:
                    quality.widows += 1
                    example("widows", line)
            if index == len(lines) - 1 and is_full and indented:
                quality.orphans += 1
                example("orphans", line)
        last = lines[-1]
        if last.hyphenated:
            quality.page_last_line_hyphenated += 1
            example("hyphen on a page's last line", last)
        previous_page_last = last
        previous_full = full[-1]
    if spaces:
        spaces.sort()
        quality.space_p95_em = spaces[int(len(spaces) * 0.95)]
        quality.space_median_em = statistics.median(spaces)
    quality.examples = examples
    return quality


def novel(rounds: int, out: Path) -> list[Path]:
    """The novel laid out greedy and set, timed; the two PDFs. The greedy HTML is the build's
    with `line_breaking = "greedy"`; the set one is that HTML given to `setlines.set_lines` with
    the frame the build computes, so that the setter's time is counted with the layout's. Times
    are CPU seconds of this process, rounds alternating (the machine is shared)."""
    import shutil
    import time

    import weasyprint

    import fleuron
    from fleuron.writers.fonts import book_fonts
    from fleuron.writers.pdf import TRIMS
    from fleuron.writers.setlines import frame, set_lines_report

    root = Path(__file__).resolve().parents[1]
    source = out / "novel"
    shutil.rmtree(source, ignore_errors=True)
    shutil.copytree(root / "bench" / "novel", source)
    with (source / "fleuron.toml").open("a", encoding="utf-8") as config:
        config.write('\n[print]\nline_breaking = "greedy"\n')
    build = [sys.executable, "-m", "fleuron", "build", "-q", str(source), "--format", "html", "-o", str(out / "html")]
    subprocess.run(build, check=True)
    html = next((out / "html").glob("*.html")).read_text(encoding="utf-8")
    shutil.rmtree(source)
    fonts = book_fonts(fleuron.parse("x"))  # the default family, which the novel uses
    a5 = TRIMS["a5"]
    weasyprint.HTML(string="<p>x</p>").write_pdf()  # WeasyPrint's first use, not counted
    times: dict[str, list[float]] = {"greedy": [], "set": []}
    pdfs = {"greedy": out / "greedy.pdf", "set": out / "set.pdf"}
    for _ in range(rounds):
        for name in times:
            start = time.process_time()
            text = html
            if name == "set":
                text, report = set_lines_report(html, fonts, "book", frame(a5.width - a5.inner - a5.outer, 11, True))
            weasyprint.HTML(string=text).write_pdf(pdfs[name])
            times[name].append(time.process_time() - start)
    greedy, fitted = statistics.median(times["greedy"]), statistics.median(times["set"])
    print(f"setter: {report.summary()}; {report.hyphenated} of {report.lines} lines hyphenated")
    extra = 100 * (fitted / greedy - 1)
    print(f"layout (CPU): greedy {greedy:.1f} s, set {fitted:.1f} s (+{extra:.1f} %), {rounds} rounds")
    return list(pdfs.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pdf", type=Path, nargs="*")
    parser.add_argument("--novel", action="store_true", help="lay out bench/novel greedy and set, and compare")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("dist") / "linequality")
    parser.add_argument("--em", type=float, default=11.0, help="the text's size in points (11 in the A5 book)")
    parser.add_argument("--indent", type=float, default=1.2, help="the paragraphs' indent in ems")
    parser.add_argument("--json", action="store_true")
    arguments = parser.parse_args()
    if arguments.novel:
        arguments.out.mkdir(parents=True, exist_ok=True)
        arguments.pdf = novel(arguments.rounds, arguments.out)
    results = {str(pdf): measure(pdf, arguments.em, arguments.indent) for pdf in arguments.pdf}
    if arguments.json:
        json.dump({name: asdict(q) for name, q in results.items()}, sys.stdout, indent=1, ensure_ascii=False)
        return
    names = list(results)
    print("| measure | " + " | ".join(Path(n).name for n in names) + " |")
    print("| --- |" + " --- |" * len(names))
    rows = [q.rows() for q in results.values()]
    for number, (label, _) in enumerate(rows[0]):
        print(f"| {label} | " + " | ".join(row[number][1] for row in rows) + " |")


if __name__ == "__main__":
    main()
