"""Only what pytest itself needs: the `--update-cases` option and the session fixtures. Plain
functions and constants live in helpers.py."""

from __future__ import annotations

import pytest

from parts_book import parts  # noqa: F401  (issue 15's book, built once: tests/parts_book.py)

from helpers import ARTICLE_MD, ARTICLE_TXT, SLUG, Built, fleuron, words


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-cases", action="store_true", help="rewrite tests/cases/*/ expected files; read the diff")


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The article built once by the CLI, for every test that reads the outputs back."""
    out = tmp_path_factory.mktemp("dist")
    result = fleuron("build", str(ARTICLE_MD), "-o", str(out), "--format", "epub,pdf,html")
    assert result.returncode == 0, result.stderr
    return Built(out / f"{SLUG}.epub", out / f"{SLUG}.pdf", out / f"{SLUG}.html")


@pytest.fixture(scope="session")
def article_words() -> list[str]:
    return words(ARTICLE_TXT.read_text(encoding="utf-8"))
