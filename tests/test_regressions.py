"""Defects found in review, each pinned by a test of the behaviour a user expects."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from helpers import NS, ROOT, Epub, epubcheck, fleuron, png

FRONT = "---\ntitle: Essai\nlang: fr\ndate: 2025-01-02\n---\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_building_a_project_folder_builds_its_sources_not_its_readme(tmp_path: Path) -> None:
    assert fleuron("init", str(tmp_path / "livre")).returncode == 0
    result = fleuron("build", str(tmp_path / "livre"), "--format", "html")
    assert result.returncode == 0, result.stderr
    # A set line's inner spaces are no-break ones (`setlines.py`).
    html = (tmp_path / "livre" / "dist" / "mon-livre.html").read_text(encoding="utf-8").replace("\u00a0", " ")
    assert "Le texte commence ici" in html and "Le texte est dans" not in html


def test_a_source_named_inside_a_project_takes_the_project_settings(tmp_path: Path) -> None:
    write(tmp_path / "fleuron.toml", '[book]\nsources = ["manuscript/a.md"]\n[typography]\ncolon_space = "none"\n')
    write(tmp_path / "manuscript" / "a.md", FRONT + "Voici : fin.\n")
    for args in ((), ("manuscript/a.md",), ("manuscript",)):
        result = fleuron("check", *args, cwd=tmp_path)
        assert "0 corrections" in result.stdout or "Voici:" in result.stdout, (args, result.stdout)
        assert "{NB}" not in result.stdout, args


def test_front_matter_typography_merges_with_the_project_option_by_option(tmp_path: Path) -> None:
    write(tmp_path / "fleuron.toml", '[book]\nsources = ["a.md"]\nformats = ["html"]\n[typography]\ncompat = true\n')
    write(tmp_path / "a.md", FRONT.replace("---\n", "---\ntypography:\n  disable: [R10]\n", 1) + "Oui ! 10000 fois.\n")
    assert fleuron("build", cwd=tmp_path).returncode == 0
    html = (tmp_path / "dist" / "essai.html").read_text(encoding="utf-8")
    assert "Oui\u00a0!" in html and "\u202f" not in html.split("<main>")[1] and "10000" in html


@pytest.mark.slow
def test_page_list_covers_code_tables_notes_and_the_pages_after_the_text(tmp_path: Path) -> None:
    paragraphs = "\n\n".join(f"Paragraphe {i}[^n{i}] avec assez de texte pour une ligne du livre." for i in range(40))
    code = "```\n" + "\n".join(f"ligne de code {i}" for i in range(80)) + "\n```"
    table = "| a | b |\n|---|---|\n" + "\n".join(f"| cellule {i} | valeur {i} |" for i in range(80))
    notes = "\n".join(f"[^n{i}]: La note {i}." for i in range(40))
    source = write(tmp_path / "p.md", FRONT + f"{paragraphs}\n\n{code}\n\n{table}\n\nFin.\n\n{notes}\n")
    assert fleuron("build", str(source), "-o", str(tmp_path / "out"), "--format", "pdf,epub").returncode == 0
    book = Epub(tmp_path / "out" / "essai.epub")
    links = book.nav().xpath("//x:nav[@epub:type='page-list']//x:a", namespaces=NS)
    pages = len(PdfReader(tmp_path / "out" / "essai.pdf").pages)
    assert [a.text for a in links] == [str(n) for n in range(1, pages + 1)]
    # The notes are at the foot of the pages (issue 15): no Notes part, no page of its own.
    assert not any("notes.xhtml" in a.get("href") for a in links)
    assert epubcheck(tmp_path / "out" / "essai.epub") == []


@pytest.mark.slow
def test_a_new_cover_image_rebuilds_the_ebook(tmp_path: Path) -> None:
    (tmp_path / "couv.png").write_bytes(png(30, 48))
    source = write(tmp_path / "a.md", FRONT.replace("---\n", "---\ncover: couv.png\n", 1) + "Texte.\n")
    assert fleuron("build", str(source), "-o", "out", "--format", "epub", cwd=tmp_path).returncode == 0
    (tmp_path / "couv.png").write_bytes(png(32, 50))
    again = fleuron("build", str(source), "-o", "out", "--format", "epub", cwd=tmp_path)
    assert again.returncode == 0 and "unchanged" not in again.stdout


@pytest.mark.slow
def test_manifest_keeps_the_files_of_earlier_builds(tmp_path: Path) -> None:
    source = write(tmp_path / "a.md", FRONT + "Texte.\n")
    assert fleuron("build", str(source), "-o", "out", "--format", "epub,pdf", cwd=tmp_path).returncode == 0
    assert fleuron("build", str(source), "-o", "out", "--format", "epub,epub", cwd=tmp_path).returncode == 0
    names = [f["name"] for f in json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))["files"]]
    assert names == ["essai.epub", "essai.pdf"]


@pytest.mark.parametrize(
    ("content", "args", "expected"),
    [
        pytest.param(  # an output folder that is a file: found once the book is laid out
            FRONT + "Texte.\n", ["-o", "afile"], "fleuron: error: ", marks=pytest.mark.slow
        ),
        ("---\ntitle: T\ndate: 2024-13-45\n---\nTexte.\n", [], "a.md:3: 'date: 2024-13-45' is not a date"),
        ("---\ntitle: X\n\nTexte.\n", [], "a.md:1: the front matter that opens the file is not closed"),
        (
            FRONT + "Voir [là](#nulle-part).\n",
            ["--format", "epub"],
            "a.md:6: the link to '#nulle-part' names no heading",
        ),
        (FRONT + "Voir [là](autre.md).\n", ["--format", "epub"], "a.md:6: the link to 'autre.md' points to a file"),
        (FRONT + "## \n\nTexte.\n", ["--format", "epub"], "a.md:6: this heading has no text"),
    ],
    ids=["output-is-a-file", "impossible-date", "unclosed-front-matter", "dead-anchor", "file-link", "empty-heading"],
)
def test_bad_input_is_a_clean_error(tmp_path: Path, content: str, args: list[str], expected: str) -> None:
    write(tmp_path / "a.md", content)
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    result = fleuron("build", "a.md", *args, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert expected in result.stderr and "internal error" not in result.stderr and "Traceback" not in result.stderr


def test_the_api_builds_after_loading() -> None:
    script = (
        "import fleuron, sys, tempfile\n"
        f"fleuron.load({str(ROOT / 'manuscript' / 'article.md')!r})\n"
        "out = tempfile.mkdtemp()\n"
        f"print(fleuron.build({str(ROOT / 'manuscript' / 'article.md')!r}, out, ['html']))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert ".html" in result.stdout


@pytest.mark.slow
def test_a_title_heading_opens_the_book_once(tmp_path: Path) -> None:
    source = write(tmp_path / "h.md", "# Le Grand Titre\n\nIntro.\n\n## Partie une\n\nTexte.\n")
    assert fleuron("build", str(source), "-o", str(tmp_path / "out"), "--format", "epub").returncode == 0
    book = Epub(tmp_path / "out" / "le-grand-titre.epub")
    titles = [h for path in book.spine_paths() for h in book.xml(path).xpath("//x:h1//text()", namespaces=NS)]
    assert titles.count("Le Grand Titre") == 1
