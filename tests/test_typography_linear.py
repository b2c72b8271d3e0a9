"""COMPLEXITY TESTS (issue 19): typography takes time linear in the length of a line.

No absolute timing: each test times the same work on an input of length n and on one of 4n,
in the same process, and asserts the ratio is below 8 (linear gives about 4, quadratic 16).
The best of a few repetitions resists a busy machine, and a failing ratio is measured again
before the test fails. Inputs are adversarial for the patterns of `typography/fr.py`: long
words, runs of dots, digits, spaces, `@`, hyphens, quotes, backticks, groups of digits, tags.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

import fleuron as api
from fleuron.typography.fr import typographize_text
from fleuron.typography.report import corrections

N = 4_000
RATIO_MAX = 8.0
FR = "---\ntitle: T\nlang: fr\n---\n"


def _best_time(work: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def assert_linear(run: Callable[[str], object], make: Callable[[int], str], n: int = N) -> None:
    small, large = make(n), make(4 * n)
    ratios = []
    for _ in range(3):  # a ratio spoiled by another process is measured again
        ratio = _best_time(lambda: run(large)) / max(_best_time(lambda: run(small)), 1e-4)
        if ratio < RATIO_MAX:
            return
        ratios.append(round(ratio, 1))
    pytest.fail(f"time × {ratios} for input × 4: not linear")


#: Each repeats a unit to about n characters.
ADVERSARIAL: dict[str, Callable[[int], str]] = {
    "a long word": lambda n: "a" * n,
    "digits": lambda n: "1" * n,
    "dots": lambda n: "." * n,
    "hyphens": lambda n: "-" * n,
    "spaces": lambda n: "a" + " " * n + "b",
    "at signs": lambda n: "@" * n,
    "an address's local part": lambda n: "a." * (n // 2) + "@",
    "addresses": lambda n: "a@b.c" * (n // 5),
    "backticks": lambda n: "`" * n,
    "backtick runs": lambda n: "".join("`" * k + "a" for k in range(int((2 * n) ** 0.5), 0, -1)),
    "digit groups": lambda n: "1" + " 000" * (n // 4) + " x",
    "numbers": lambda n: "12345 " * (n // 6),
    "spaced hyphens": lambda n: "a - b " * (n // 6),
    "incises": lambda n: "a — b, " * (n // 7),
    "quotes": lambda n: '"a" ' * (n // 4),
    "apostrophes": lambda n: "'" * n,
    "a URL's closing brackets": lambda n: "http://a" + ")" * n,
    "a URL's dots": lambda n: "http://a" + "." * n,
    "emoticons": lambda n: " :)" * (n // 3),
    "high punctuation": lambda n: "a !" * (n // 3),
    "guillemets": lambda n: "« " * (n // 2),
    "tag openings": lambda n: "<a" * (n // 2),
    "comment openings": lambda n: "<!--" * (n // 4),
    "attributes": lambda n: "<a " + "b " * (n // 2),
    "quoted attributes": lambda n: '<a b="' * (n // 6),
}


@pytest.mark.parametrize("make", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
def test_the_rules_are_linear(make: Callable[[int], str]) -> None:
    assert_linear(typographize_text, make)


@pytest.mark.parametrize("line", ["a long word", "high punctuation", "quotes", "spaced hyphens"])
def test_a_run_of_inlines_is_linear(line: str) -> None:
    """Across emphasis: the corrected line is cut back into its nodes (`typographize_run`)."""

    def build(markdown: str) -> object:
        return api.typographize(api.parse(markdown))

    assert_linear(build, lambda n: f"{FR}*x* {ADVERSARIAL[line](n)} *y* !\n", N)


@pytest.mark.parametrize("line", ["a long word", "high punctuation", "quotes"])
def test_the_report_is_linear(line: str) -> None:
    def check(markdown: str) -> object:
        return corrections(api.parse(markdown), markdown)

    assert_linear(check, lambda n: f"{FR}*x* {ADVERSARIAL[line](n)} !\n", N // 2)
