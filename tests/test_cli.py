"""The `fleuron` command end to end: builds, prints the model, and fails cleanly."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from fleuron.model import AST_VERSION

from helpers import ARTICLE_MD, SLUG, article_outline, fleuron


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A book project as `make` sees it: a manuscript/ folder holding one manuscript."""
    (tmp_path / "manuscript").mkdir()
    shutil.copy(ARTICLE_MD, tmp_path / "manuscript" / "article.md")
    return tmp_path


def test_version_and_help() -> None:
    import fleuron as api

    assert fleuron("--version").stdout.strip() == f"fleuron {api.__version__}"
    for args in (["--help"], ["build", "--help"], ["ast", "--help"]):
        result = fleuron(*args)
        assert result.returncode == 0 and "usage: fleuron" in result.stdout


@pytest.mark.slow
def test_build_defaults_to_the_manuscript_folder_and_dist(project: Path) -> None:
    result = fleuron("build", cwd=project)
    assert result.returncode == 0, result.stderr
    expected = [f"{SLUG}-handout.pdf", f"{SLUG}.epub", f"{SLUG}.pdf"]
    assert sorted(p.name for p in (project / "dist").iterdir() if p.suffix != ".json") == expected
    assert result.stderr == ""


def test_html_format(project: Path) -> None:
    result = fleuron("build", "--format", "html", "-o", "out", cwd=project)
    assert result.returncode == 0, result.stderr
    assert [p.name for p in (project / "out").iterdir() if p.suffix != ".json"] == [f"{SLUG}.html"]


def test_ast_prints_versioned_json() -> None:
    result = fleuron("ast", str(ARTICLE_MD))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["fleuron-ast"] == AST_VERSION
    assert data["meta"]["lang"] == "fr"
    assert sum(1 for b in data["blocks"] if b["t"] == "Heading" and b["level"] == 2) == article_outline().parts


def write(path: Path, content: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("---\ntitle: T\nauthor: [a\n---\nTexte\n", "livre.md:3: the YAML front matter does not parse"),
        (
            "---\ntitle: T\nlangue: fr\n---\nTexte\n",
            "livre.md:3: unknown front matter key 'langue' (did you mean 'lang'?)",
        ),
        (b"Bonjour\n\xe9t\xe9\n", "livre.md:2: not UTF-8 text (byte 8 is 0xe9); save the file as UTF-8"),
        (b"\x89PNG\r\n\x1a\n\0\0\0", "livre.md: this is a binary file, not a text manuscript"),
        ("---\ntitle: T\n---\n![x](absente.png)\n", "livre.md:4: image 'absente.png' not found"),
    ],
    ids=["broken-yaml", "unknown-key", "not-utf8", "binary", "missing-image"],
)
def test_bad_input_names_file_and_line_without_traceback(tmp_path: Path, content: bytes | str, expected: str) -> None:
    write(tmp_path / "livre.md", content)
    result = fleuron("build", "livre.md", cwd=tmp_path)
    assert result.returncode == 1
    assert f"fleuron: error: {expected}" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "dist").exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["build", "absent.md"], "absent.md: no such file"),
        (["build"], "manuscript: no manuscript given and no 'manuscript/' folder here"),
        (["build", "--format", "docx", "livre.md"], "unknown format 'docx'"),
        (["ast", "absent.md"], "absent.md: no such file"),
    ],
)
def test_usage_errors(tmp_path: Path, args: list[str], expected: str) -> None:
    write(tmp_path / "livre.md", "# Livre\n")
    result = fleuron(*args, cwd=tmp_path)
    assert result.returncode == 1 and expected in result.stderr and "Traceback" not in result.stderr


def test_two_manuscripts_in_the_folder_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "manuscript" / "a.md", "# A\n")
    write(tmp_path / "manuscript" / "b.md", "# B\n")
    result = fleuron("build", cwd=tmp_path)
    assert result.returncode == 1 and "2 manuscripts (a.md, b.md)" in result.stderr


@pytest.mark.slow
def test_failed_build_leaves_previous_outputs_intact(project: Path) -> None:
    assert fleuron("build", cwd=project).returncode == 0
    before = {p.name: p.read_bytes() for p in (project / "dist").iterdir()}
    manuscript = project / "manuscript" / "article.md"
    manuscript.write_text(manuscript.read_text(encoding="utf-8") + "\n![x](absente.png)\n", encoding="utf-8")
    result = fleuron("build", cwd=project)
    assert result.returncode == 1
    after = {p.name: p.read_bytes() for p in (project / "dist").iterdir()}
    assert after == before  # same files, same bytes, no temporary file left behind
