"""A build's budget (`--max-seconds`, `--max-memory`): past it, a clean error, and the output
folder as the last build left it."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from helpers import ARTICLE_MD, SLUG, fleuron


def folder_hashes(folder: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.iterdir())}


def edited_book(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    """A long book built once (HTML), then edited: what a budgeted build must not replace."""
    text = ARTICLE_MD.read_text(encoding="utf-8")
    head, _, body = text.partition("\n---\n")  # the front matter, then the text
    source = tmp_path / "livre.md"
    source.write_text(head + "\n---\n" + body * 3, encoding="utf-8")
    out = tmp_path / "dist"
    assert fleuron("build", str(source), "-o", str(out), "--format", "html").returncode == 0
    before = folder_hashes(out)
    source.write_text(head + "\n---\n" + body * 3 + "\n\nUn paragraphe ajouté.\n", encoding="utf-8")
    return source, out, before


def assert_stopped_cleanly(result: object, words: str) -> None:
    stderr = result.stderr  # type: ignore[attr-defined]
    assert result.returncode == 1, stderr  # type: ignore[attr-defined]
    assert stderr.startswith("fleuron: error: ") and words in stderr, stderr
    assert "Traceback" not in stderr and "Fontconfig" not in stderr, stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    ("flag", "value", "words"),
    [
        # Laying out this book takes seconds: a tenth of one is not enough.
        ("--max-seconds", "0.3", "took longer than 0.3 s (--max-seconds)"),
        # WeasyPrint alone needs more address space than this: the layout process fails at once.
        ("--max-memory", "80", "needed more than 80 MB of memory (--max-memory)"),
    ],
)
def test_a_build_past_its_budget_stops_and_changes_nothing(tmp_path: Path, flag: str, value: str, words: str) -> None:
    source, out, before = edited_book(tmp_path)
    result = fleuron("build", str(source), "-o", str(out), "--format", "html,pdf", flag, value)
    assert_stopped_cleanly(result, words)
    assert folder_hashes(out) == before


@pytest.mark.slow
def test_a_budget_that_is_enough_changes_nothing_in_the_outputs(tmp_path: Path) -> None:
    source, out, _ = edited_book(tmp_path)
    plain = tmp_path / "plain"
    assert fleuron("build", str(source), "-o", str(plain), "--format", "pdf").returncode == 0
    result = fleuron("build", str(source), "-o", str(out), "--format", "pdf", "--max-memory", "4000",
                     "--max-seconds", "600")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (out / f"{SLUG}.pdf").read_bytes() == (plain / f"{SLUG}.pdf").read_bytes()


@pytest.mark.parametrize("flag", ["--max-seconds", "--max-memory"])
@pytest.mark.parametrize("value", ["0", "-5", "beaucoup"])
def test_a_budget_must_be_a_positive_number(tmp_path: Path, flag: str, value: str) -> None:
    result = fleuron("build", str(ARTICLE_MD), "-o", str(tmp_path / "dist"), flag, value)
    assert result.returncode == 2 and f"argument {flag}: invalid" in result.stderr, result.stderr
    assert not (tmp_path / "dist").exists()
