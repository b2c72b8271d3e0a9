"""Incremental builds must never be wrong: the witness that lets an unchanged build stop early
sees every change to what a build reads or left, and the caches kept between builds (the page
list, font coverage) are trusted only for what they were made from. How fast builds are is
measured by `bench/bench.py`, not here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fontTools.ttLib import TTFont

from fleuron import pipeline, state
from fleuron.writers import fonts
from fleuron.writers.pdf import PrintOptions

from helpers import PROJECT_FRONT, ROOT, fleuron, png
from helpers import new_project as project


def build(source: Path, formats: tuple[str, ...] = ("html",)) -> state.Report:
    return pipeline.build(source, source.parents[1] / "dist", list(formats))


def unchanged(source: Path, formats: tuple[str, ...] = ("html",)) -> state.Report | None:
    return state.unchanged_build(state.Request(source, source.parents[1] / "dist", list(formats)))


# --- The witness of an unchanged build ------------------------------------------------------


def test_an_unchanged_build_is_answered_from_the_witness(tmp_path: Path) -> None:
    source = project(tmp_path)
    first = build(source)
    again = unchanged(source)
    assert again is not None
    assert [(o.path, o.size, o.pages, o.rebuilt) for o in again.outputs] == [
        (o.path, o.size, o.pages, False) for o in first.outputs
    ]
    os.utime(source, ns=(1, 1))  # a touched file with the same text is still the same input
    assert unchanged(source) is not None


def test_the_command_knows_the_state_files_name_without_importing_state() -> None:
    from fleuron import cli

    assert cli.STATE_FILE == state.STATE_FILE


def _imported(*args: str, stdin: str = "") -> tuple[str, set[str]]:
    """What `fleuron *args` prints, and the modules it imports (as `python -X importtime` says)."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "fleuron", *args],
        input=stdin, capture_output=True, text=True, env={**os.environ, "LC_ALL": "C.UTF-8"}, check=True,
    )  # fmt: skip
    lines = result.stderr.splitlines()
    return result.stdout, {line.split("|")[-1].strip() for line in lines if line.startswith("import time:")}


@pytest.mark.parametrize("args", [("--help",), ("typo",), ("build", "--help")], ids=" ".join)
def test_commands_that_lay_nothing_out_never_import_weasyprint(args: tuple[str, ...]) -> None:
    _, imported = _imported(*args, stdin="Le prix : 5 €\n")
    assert "fleuron.cli" in imported
    assert not {"weasyprint", "fontTools", "ebooklib", "PIL"} & imported


def test_the_command_answers_an_unchanged_build_without_parsing(tmp_path: Path) -> None:
    source = project(tmp_path)
    out = str(tmp_path / "dist")
    assert fleuron("build", str(source), "-o", out, "--format", "html").returncode == 0
    printed, imported = _imported("build", str(source), "-o", out, "--format", "html")
    assert "up to date, nothing rebuilt" in printed
    assert "fleuron.state" in imported
    assert not {"fleuron.pipeline", "markdown_it", "weasyprint", "fleuron.model", "subprocess"} & imported


def _edit(path: Path, text: str = "\nEncore.\n") -> None:
    with path.open("a", encoding="utf-8") as file:
        file.write(text)


CHANGES: dict[str, Callable[[Path], None]] = {
    "the manuscript's text": lambda root: _edit(root / "manuscript" / "livre.md"),
    "its image": lambda root: (root / "manuscript" / "image.png").write_bytes(png(20, 10, (90, 90, 90))),
    "a fleuron.toml in the project": lambda root: (root / "fleuron.toml").write_text("[print]\nmarks = true\n"),
    "a fleuron.toml beside the manuscript": lambda root: (root / "manuscript" / "fleuron.toml").write_text(""),
    "a styles/ folder of the project's own": lambda root: (root / "styles").mkdir(),
    "the HTML output": lambda root: _edit(next((root / "dist").glob("*.html"))),
    "the HTML output removed": lambda root: next((root / "dist").glob("*.html")).unlink(),
    "the manifest": lambda root: _edit(root / "dist" / "manifest.json", " "),
    "the state, unreadable": lambda root: (root / "dist" / state.STATE_FILE).write_text("{"),
}


@pytest.mark.parametrize("change", list(CHANGES), ids=list(CHANGES))
def test_any_change_to_what_a_build_reads_or_left_is_seen(tmp_path: Path, change: str) -> None:
    source = project(tmp_path)
    build(source)
    assert unchanged(source) is not None
    CHANGES[change](tmp_path)
    assert unchanged(source) is None
    build(source)  # the pipeline's own check decides, then leaves a new witness
    assert unchanged(source) is not None


def test_a_change_in_the_projects_styles_is_seen(tmp_path: Path) -> None:
    source = project(tmp_path)
    (tmp_path / "styles" / "fonts").mkdir(parents=True)
    for sheet in ("text.css", "print.css", "fonts.toml"):
        (tmp_path / "styles" / sheet).write_bytes((ROOT / "styles" / sheet).read_bytes())
    changes = [
        lambda: _edit(tmp_path / "styles" / "print.css", "\np { color: black; }\n"),
        lambda: (tmp_path / "styles" / "fonts" / "Autre.otf").write_bytes(b""),  # a face fonts.toml may name
        lambda: (tmp_path / "styles" / "handout.css").write_text(""),  # a sheet that now hides Fleuron's own
    ]
    for change in changes:
        build(source)
        assert unchanged(source) is not None
        change()
        assert unchanged(source) is None


def test_a_relinked_manuscript_is_never_taken_as_unchanged(tmp_path: Path) -> None:
    """The build reads where a link leads: a project with links is checked in full."""
    (tmp_path / "v1").mkdir()
    (tmp_path / "v2").mkdir()
    (tmp_path / "v1" / "livre.md").write_text(PROJECT_FRONT + "Première version.\n", encoding="utf-8")
    (tmp_path / "v2" / "livre.md").write_text(PROJECT_FRONT + "Seconde version.\n", encoding="utf-8")
    (tmp_path / "manuscript").symlink_to(tmp_path / "v1")
    source = tmp_path / "manuscript" / "livre.md"
    build(source)
    assert unchanged(source) is None
    (tmp_path / "manuscript").unlink()
    (tmp_path / "manuscript").symlink_to(tmp_path / "v2")
    build(source)
    assert "Seconde version" in next((tmp_path / "dist").glob("*.html")).read_text(encoding="utf-8")


@pytest.mark.slow
def test_each_outputs_key_follows_the_stylesheets_its_format_declares(tmp_path: Path) -> None:
    from fleuron.writers.formats import FORMATS

    source = project(tmp_path)
    for name in FORMATS:
        build(source, formats=(name,))
    for sheet in sorted({sheet for fmt in FORMATS.values() for sheet in fmt.stylesheets}):
        styles = tmp_path / "styles"
        styles.mkdir(exist_ok=True)
        (styles / sheet).write_text((ROOT / "styles" / sheet).read_text(encoding="utf-8") + "\n/* edited */\n")
        for name, fmt in FORMATS.items():
            rebuilt = [output for output in build(source, formats=(name,)).outputs if output.rebuilt]
            assert bool(rebuilt) == (sheet in fmt.stylesheets), (sheet, name)
        (styles / sheet).unlink()
        for name in FORMATS:
            build(source, formats=(name,))


def test_other_flags_or_timestamps_are_another_request(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = project(tmp_path)
    build(source)
    out = tmp_path / "dist"

    def asked(*args: Any) -> state.Report | None:
        return state.unchanged_build(state.Request(source, out, *args))

    assert asked(["html"]) is not None
    assert asked(["html"], ("6x9in", False, None)) is None
    assert asked(["html"], (None, True, None)) is None
    assert asked(["html"], (None, False, "pdf/a-3b")) is None
    assert asked(["html"], (None, False, None), True) is None
    assert asked(["html", "epub"]) is None
    assert asked(None) is None
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert asked(["html"]) is None


def test_a_change_to_fleurons_own_code_is_another_request(tmp_path: Path) -> None:
    source = project(tmp_path)
    build(source)
    module = Path(state.__file__)
    stat = module.stat()
    try:
        os.utime(module, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000))
        assert unchanged(source) is None
    finally:
        os.utime(module, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert unchanged(source) is not None


def test_a_book_stamped_now_leaves_no_witness(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    source = project(tmp_path, front="---\ntitle: Essai\nlang: fr\n---\n\n")
    build(source)
    saved = json.loads((tmp_path / "dist" / state.STATE_FILE).read_text(encoding="utf-8"))
    assert saved["html"]["sha256"] and saved.get("witness") is None
    assert unchanged(source) is None


def test_a_manuscript_edited_during_the_build_is_rebuilt_next_time(tmp_path: Path) -> None:
    """Each input is hashed before the build reads it: an edit made while it works makes the
    witness disagree with the file, never the reverse."""
    source = project(tmp_path, text="Premier état.\n")

    def edit_while_building(stage: str, page: int | None) -> None:
        if stage == "typography":  # the manuscript has been read
            source.write_text(PROJECT_FRONT + "Second état.\n", encoding="utf-8")

    pipeline.build(source, tmp_path / "dist", ["html"], progress=edit_while_building)
    assert unchanged(source) is None
    build(source)
    assert "Second état" in next((tmp_path / "dist").glob("*.html")).read_text(encoding="utf-8")


def test_the_last_builds_warnings_are_given_again(tmp_path: Path) -> None:
    source = project(tmp_path, front="---\ntitle: Essai\ndate: 2026-03-01\n---\n\n")  # no lang: a warning
    out = str(tmp_path / "dist")
    first = fleuron("build", str(source), "-o", out, "--format", "html")
    again = fleuron("build", str(source), "-o", out, "--format", "html")
    assert "up to date, nothing rebuilt" in again.stdout
    warning = "no 'lang' in the front matter"
    assert warning in first.stderr and again.stderr.count(warning) == 1


# --- Caches ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_an_ebook_alone_takes_its_page_list_from_the_books_last_layout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    source = project(tmp_path / "p")

    def ebook(folder: str, options: PrintOptions | None = None) -> tuple[bytes, int | None]:
        (made,) = pipeline.build(source, tmp_path / folder, ["epub"], options).outputs
        return made.path.read_bytes(), made.pages

    full = pipeline.build(source, tmp_path / "full", ["epub", "pdf"]).outputs[0]
    (kept,) = (tmp_path / "cache" / "fleuron" / "pages").iterdir()
    assert ebook("alone") == (full.path.read_bytes(), full.pages)
    kept.write_text(json.dumps(["", "", ""]), encoding="utf-8")  # what the page list is made from
    other, pages = ebook("other")
    assert pages == 3 and other != full.path.read_bytes()
    kept.write_text("[1, 2]", encoding="utf-8")  # not what a build writes: laid out again
    assert ebook("again") == (full.path.read_bytes(), full.pages)
    ebook("six", PrintOptions(trim="6x9in"))  # another book, another layout, kept beside
    assert len(list(kept.parent.iterdir())) == 2


def test_font_coverage_is_cached_and_a_bad_entry_is_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    face = fonts.find_font_file("LinLibertine_R.otf", fonts.SYSTEM_FONT_DIRS)
    assert face is not None
    copy = tmp_path / "face.otf"
    copy.write_bytes(face.read_bytes())
    with TTFont(copy) as font:
        expected = frozenset(font.getBestCmap())
    assert fonts._cmap(copy) == expected
    (entry,) = (tmp_path / "fleuron" / "coverage").iterdir()
    runs = json.loads(entry.read_text(encoding="ascii"))
    assert fonts._codes(runs) == expected and len(runs) < len(expected) / 4  # ranges, not every code
    entry.write_text("[[65, 66]]", encoding="ascii")  # what another face would cover
    os.utime(copy, ns=(1, 1))  # a new (size, time): not this process's memory of it
    assert fonts._cmap(copy) == frozenset({65, 66})  # the cache is trusted by hash...
    entry.write_text('{"not": "runs"}', encoding="ascii")
    os.utime(copy, ns=(2, 2))
    assert fonts._cmap(copy) == expected  # ...but what it could not have written is read again
    assert fonts._codes(json.loads(entry.read_text(encoding="ascii"))) == expected
