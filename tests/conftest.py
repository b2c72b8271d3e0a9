"""Only what pytest itself needs: the `--update-cases` option and the session fixtures. Plain
functions and constants live in helpers.py."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from parts_book import parts  # noqa: F401  (issue 15's book, built once: tests/parts_book.py)

from helpers import ARTICLE_MD, ARTICLE_TXT, SLUG, Built, fleuron, words

# `make test` (and CI) replays the same examples every run, so that a green commit stays green;
# `make fuzz` draws fresh ones, round after round (2,000 for a test that sets no count), to hunt.
# The replay keeps no example database: a failure `make fuzz` finds is pinned with @example.
settings.register_profile("replay", derandomize=True)
settings.register_profile("fuzz", max_examples=2_000, deadline=None)
settings.load_profile(os.environ.get("FLEURON_HYPOTHESIS", "replay"))


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
