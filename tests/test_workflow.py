"""The author's workflow: init, configuration, incremental builds, manifest and archive,
the live preview, messages in French, shell completion."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import signal
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from helpers import ARTICLE_MD, MM, Epub, Lines, epubcheck, fleuron, wait_until


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`fleuron init` then `fleuron build` inside, as a new author would."""
    folder = tmp_path_factory.mktemp("projects") / "livre"
    created = fleuron("init", str(folder))
    assert created.returncode == 0, created.stderr
    built = fleuron("build", cwd=folder)
    assert built.returncode == 0, built.stderr
    return folder


def outputs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((folder / "dist").iterdir()) if not p.name.startswith(".")}


@pytest.mark.slow
def test_init_gives_a_project_that_builds_at_once(book: Path) -> None:
    for name in ("fleuron.toml", "README.md", "manuscript/livre.md", "styles/epub.css", "styles/print.css"):
        assert (book / name).is_file(), name
    assert "# " in (book / "manuscript" / "livre.md").read_text(encoding="utf-8")  # a front matter that explains itself
    assert set(outputs(book)) == {"mon-livre.epub", "mon-livre.pdf", "mon-livre-handout.pdf", "manifest.json"}
    assert epubcheck(book / "dist" / "mon-livre.epub") == []


def test_init_refuses_a_folder_in_use(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("x", encoding="utf-8")
    result = fleuron("init", str(tmp_path))
    assert result.returncode == 1 and "not empty" in result.stderr


@pytest.mark.slow
def test_a_second_unchanged_build_rebuilds_nothing(book: Path) -> None:
    before = outputs(book)
    stamps = {p.name: p.stat().st_mtime_ns for p in (book / "dist").iterdir()}
    again = fleuron("build", cwd=book)
    assert again.returncode == 0, again.stderr
    assert "up to date, nothing rebuilt" in again.stdout
    assert outputs(book) == before
    assert {p.name: p.stat().st_mtime_ns for p in (book / "dist").iterdir()} == stamps


@pytest.mark.slow
def test_only_what_a_change_goes_into_is_rebuilt(tmp_path: Path, book: Path) -> None:
    project = tmp_path / "copy"
    shutil.copytree(book, project)
    (project / "styles" / "handout.css").write_text(
        (project / "styles" / "handout.css").read_text(encoding="utf-8") + "\n/* wider */\n", encoding="utf-8"
    )
    result = fleuron("build", cwd=project)
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if "dist/" in line]
    unchanged = {row.split()[0].split("/")[-1] for row in rows if row.endswith("unchanged")}
    rebuilt = {row.split()[0].split("/")[-1] for row in rows} - unchanged
    assert "mon-livre-handout.pdf" in rebuilt
    assert {"mon-livre.epub", "mon-livre.pdf"} <= unchanged


@pytest.mark.slow
def test_manifest_describes_every_file(book: Path) -> None:
    manifest = json.loads((book / "dist" / "manifest.json").read_text(encoding="utf-8"))
    files = {entry["name"]: entry for entry in manifest["files"]}
    assert set(files) == {"mon-livre.epub", "mon-livre.pdf", "mon-livre-handout.pdf"}
    for name, entry in files.items():
        data = (book / "dist" / name).read_bytes()
        assert entry["size"] == len(data) and entry["sha256"] == hashlib.sha256(data).hexdigest()
    assert files["mon-livre.pdf"]["pages"] == len(PdfReader(book / "dist" / "mon-livre.pdf").pages)
    assert files["mon-livre-handout.pdf"]["pages"] == len(PdfReader(book / "dist" / "mon-livre-handout.pdf").pages)


@pytest.mark.slow
def test_zip_is_ready_to_send_and_reproducible(tmp_path: Path, book: Path) -> None:
    project = tmp_path / "zipped"
    shutil.copytree(book, project)
    assert fleuron("build", "--zip", cwd=project).returncode == 0
    archive = project / "dist" / "mon-livre.zip"
    with zipfile.ZipFile(archive) as opened:
        assert sorted(opened.namelist()) == sorted(
            ["manifest.json", "mon-livre.epub", "mon-livre.pdf", "mon-livre-handout.pdf"]
        )
        assert opened.read("mon-livre.epub") == (project / "dist" / "mon-livre.epub").read_bytes()
    first = archive.read_bytes()
    archive.unlink()
    assert fleuron("build", "--zip", cwd=project).returncode == 0
    assert archive.read_bytes() == first


def _project(tmp_path: Path, config: str, front: str = "", sources: dict[str, str] | None = None) -> Path:
    (tmp_path / "fleuron.toml").write_text(config, encoding="utf-8")
    for name, text in (
        sources or {"manuscript/a.md": f"---\ntitle: Essai\nlang: fr\ndate: 2025-01-02\n{front}---\nTexte.\n"}
    ).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (
            '[book]\nsources = ["manuscript/a.md"]\nsorces = []\n',
            "fleuron.toml:3: unknown key 'sorces' in [book] (did you mean 'sources'?)",
        ),
        (
            '[book]\nsources = ["manuscript/a.md"]\n[prnt]\ntrim = "a5"\n',
            "fleuron.toml:3: unknown section '[prnt]' (did you mean 'print'?)",
        ),
        ('[print]\nmarks = "yes"\n', "fleuron.toml:2: 'marks' has the wrong type"),
        ('[book]\nsources = ["manuscript/absent.md"]\n', "fleuron.toml:2: source 'manuscript/absent.md' not found"),
        ("[book\n", "fleuron.toml:1: the configuration does not parse"),
    ],
)
def test_configuration_errors(tmp_path: Path, config: str, expected: str) -> None:
    project = _project(tmp_path, config)
    result = fleuron("build", "--format", "html", cwd=project)
    assert result.returncode == 1 and f"fleuron: error: {expected}" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def _page_mm(pdf: Path) -> tuple[int, int]:
    box = PdfReader(pdf).pages[0].trimbox
    return round(float(box.width) / MM), round(float(box.height) / MM)


@pytest.mark.slow
def test_flags_override_front_matter_which_overrides_the_configuration(tmp_path: Path) -> None:
    config = '[book]\nsources = ["manuscript/a.md"]\nformats = ["pdf"]\n[print]\ntrim = "6x9in"\n'
    project = _project(tmp_path, config)
    assert fleuron("build", cwd=project).returncode == 0
    assert _page_mm(project / "dist" / "essai.pdf") == (152, 229)  # 6 × 9 in, from fleuron.toml
    (project / "manuscript" / "a.md").write_text(
        "---\ntitle: Essai\nlang: fr\ndate: 2025-01-02\ntrim: 110x178mm\n---\nTexte.\n", encoding="utf-8"
    )
    assert fleuron("build", cwd=project).returncode == 0
    assert _page_mm(project / "dist" / "essai.pdf") == (110, 178)  # the front matter wins
    assert fleuron("build", "--trim", "a5", cwd=project).returncode == 0
    assert _page_mm(project / "dist" / "essai.pdf") == (148, 210)  # the flag wins


@pytest.mark.slow
def test_several_chapter_files_in_order(tmp_path: Path) -> None:
    sources = {
        "ch/un.md": "---\ntitle: Deux chapitres\nlang: fr\ndate: 2025-01-02\n---\n"
        "## Un\n\nPremier[^n].\n\n[^n]: Note du premier.\n",
        "ch/deux.md": "## Deux\n\nSecond[^n].\n\n[^n]: Note du second.\n",
    }
    config = '[book]\nsources = ["ch/un.md", "ch/deux.md"]\nformats = ["epub"]\n'
    project = _project(tmp_path, config, sources=sources)
    result = fleuron("build", cwd=project)
    assert result.returncode == 0, result.stderr
    epub = project / "dist" / "deux-chapitres.epub"
    text = Epub(epub).text()
    assert text.index("Premier") < text.index("Second") and "Note du premier." in text and "Note du second." in text
    assert epubcheck(epub) == []


def test_empty_manuscript_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "vide.md").write_text("---\ntitle: Vide\nlang: fr\n---\n", encoding="utf-8")
    result = fleuron("build", "vide.md", cwd=tmp_path)
    assert result.returncode == 1 and "vide.md: the manuscript is empty" in result.stderr


def test_messages_in_french_when_the_locale_is_french(tmp_path: Path) -> None:
    result = fleuron("build", "absent.md", cwd=tmp_path, env={"LC_ALL": "fr_FR.UTF-8"})
    assert result.returncode == 1
    assert result.stderr.startswith("fleuron: erreur: absent.md: fichier introuvable")
    report = fleuron("check", str(ARTICLE_MD), env={"LC_ALL": "fr_FR.UTF-8"})
    assert "R8 ponctuation haute: 47" in report.stdout and report.stdout.rstrip().endswith("114 corrections")


@pytest.mark.slow
def test_verbose_and_quiet(tmp_path: Path) -> None:
    source = tmp_path / "a.md"
    source.write_text("---\ntitle: A\nlang: fr\ndate: 2025-01-02\n---\nTexte.\n", encoding="utf-8")
    loud = fleuron("build", str(source), "-o", str(tmp_path / "v"), "--format", "pdf", "-v")
    assert loud.returncode == 0 and "fleuron: reading" in loud.stderr and "fleuron: book layout" in loud.stderr
    assert re.search(r"a\.pdf\s+\d+ kB\s+\d+ pages", loud.stdout)
    quiet = fleuron("build", str(source), "-o", str(tmp_path / "q"), "--format", "pdf", "-q")
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == ""


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_shell_completion(shell: str) -> None:
    result = fleuron("completion", shell)
    assert result.returncode == 0
    for word in ("build", "check", "typo", "import", "watch", "init"):
        assert word in result.stdout
    assert ("-l format" if shell == "fish" else "--format") in result.stdout
    if shell == "bash" and shutil.which("bash"):
        assert subprocess.run(["bash", "-n"], input=result.stdout, text=True).returncode == 0


@pytest.mark.slow
def test_watch_serves_a_live_preview_and_stops_cleanly(tmp_path: Path) -> None:
    source = tmp_path / "manuscript" / "a.md"
    source.parent.mkdir()
    source.write_text("---\ntitle: Aperçu\nlang: fr\ndate: 2025-01-02\n---\nPremière version.\n", encoding="utf-8")
    watcher = subprocess.Popen(
        [sys.executable, "-m", "fleuron", "watch", "--port", "0"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    printed = Lines(watcher.stdout)
    try:
        url = printed.wait_for(r"preview: (http://127\.0\.0\.1:\d+/)", timeout=120)[1]
        page = urllib.request.urlopen(url, timeout=30).read().decode("utf-8")
        assert "Première version." in page and "/__version" in page

        def version() -> str:
            return str(urllib.request.urlopen(url + "__version", timeout=30).read().decode())

        first = version()
        source.write_text(source.read_text(encoding="utf-8").replace("Première", "Seconde"), encoding="utf-8")
        wait_until(lambda: version() != first, timeout=120, interval=0.3, what="the preview rebuilt")
        assert "Seconde version." in urllib.request.urlopen(url, timeout=30).read().decode("utf-8")
        assert (tmp_path / "dist" / "apercu.epub").is_file()
    finally:
        watcher.send_signal(signal.SIGINT)
        code = watcher.wait(timeout=60)
    assert code == 0
    assert "Traceback" not in (watcher.stderr.read() if watcher.stderr else "")
