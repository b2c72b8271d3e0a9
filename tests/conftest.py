from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
ARTICLE_MD = ROOT / "manuscript" / "article.md"
ARTICLE_TXT = DATA / "article.txt"
SLUG = "du-technicien-au-leader"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-cases", action="store_true", help="rewrite tests/cases/*/ expected files; read the diff")


def fleuron(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real command, in a fresh process, as a user runs it (in English unless `env` says)."""
    env = {**os.environ, "LC_ALL": "C.UTF-8", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "fleuron", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


@dataclass
class Built:
    epub: Path
    pdf: Path
    html: Path


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The article built once by the CLI, for every test that reads the outputs back."""
    out = tmp_path_factory.mktemp("dist")
    result = fleuron("build", str(ARTICLE_MD), "-o", str(out), "--format", "epub,pdf,html")
    assert result.returncode == 0, result.stderr
    return Built(out / f"{SLUG}.epub", out / f"{SLUG}.pdf", out / f"{SLUG}.html")


@pytest.fixture(scope="session")
def article_words() -> list[str]:
    from helpers import words

    return words(ARTICLE_TXT.read_text(encoding="utf-8"))
