"""The machinery that makes builds fast must never make them wrong: the witness that lets an
unchanged build stop early (every change to what a build reads is seen), the processes that
lay out the book and the handout (the same bytes as one process, their errors and warnings
brought back, never left running), the font coverage cache and the palette cover. Speed itself is
measured by `bench/bench.py`, not here."""

from __future__ import annotations

import io
import json
import logging
import os
import pickle
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fontTools.ttLib import TTFont
from PIL import Image

from fleuron import pipeline, state
from fleuron.errors import FleuronError
from fleuron.parallel import LayoutProcess, Layouts, other_processes
from fleuron.writers import cover, fonts
from fleuron.writers.layout import Laid, LayoutJob, lay_out
from fleuron.writers.pdf import PrintOptions, handout_job

from conftest import ROOT, fleuron

FRONT = "---\ntitle: Essai\nlang: fr\ndate: 2026-03-01\n---\n\n"


def png(width: int, height: int, shade: int = 200) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (shade, shade, shade)).save(out, format="PNG")
    return out.getvalue()


def project(root: Path, text: str = "Un texte ; une image :\n\n![Une image](image.png)\n", front: str = FRONT) -> Path:
    """A project folder: manuscript/livre.md and its image; returns the manuscript."""
    (root / "manuscript").mkdir(parents=True)
    (root / "manuscript" / "image.png").write_bytes(png(20, 10))
    source = root / "manuscript" / "livre.md"
    source.write_text(front + text, encoding="utf-8")
    return source


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
    "its image": lambda root: (root / "manuscript" / "image.png").write_bytes(png(20, 10, shade=90)),
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
    (tmp_path / "v1" / "livre.md").write_text(FRONT + "Première version.\n", encoding="utf-8")
    (tmp_path / "v2" / "livre.md").write_text(FRONT + "Seconde version.\n", encoding="utf-8")
    (tmp_path / "manuscript").symlink_to(tmp_path / "v1")
    source = tmp_path / "manuscript" / "livre.md"
    build(source)
    assert unchanged(source) is None
    (tmp_path / "manuscript").unlink()
    (tmp_path / "manuscript").symlink_to(tmp_path / "v2")
    build(source)
    assert "Seconde version" in next((tmp_path / "dist").glob("*.html")).read_text(encoding="utf-8")


def test_each_outputs_stylesheets_are_its_writers() -> None:
    from fleuron.writers import epub, pdf

    assert pipeline._STYLESHEETS == {
        "epub": (epub.STYLESHEET,), "pdf": pdf.BOOK_STYLESHEETS, "html": pdf.BOOK_STYLESHEETS,
        "handout": pdf.HANDOUT_STYLESHEETS,
    }  # fmt: skip


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
            source.write_text(FRONT + "Second état.\n", encoding="utf-8")

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


# --- The second process -----------------------------------------------------------------


@pytest.mark.slow
def test_three_processes_give_the_bytes_of_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = project(tmp_path / "a", text="Un texte ; " * 400 + "\n\n![Une image](image.png)\n")
    formats = ["epub", "pdf", "handout"]
    layouts = Layouts(apart=True)
    apart = pipeline.build(source, tmp_path / "apart", formats, layouts=layouts)
    assert set(layouts.processes) == {"book", "handout"}
    monkeypatch.setenv("FLEURON_JOBS", "1")
    assert not Layouts().apart
    alone = pipeline.build(source, tmp_path / "alone", formats)
    assert [o.pages for o in apart.outputs] == [o.pages for o in alone.outputs] and apart.outputs[0].pages > 3
    for one, other in zip(apart.outputs, alone.outputs, strict=True):
        assert one.path.name == other.path.name and one.path.read_bytes() == other.path.read_bytes()


def test_where_layouts_are_made(monkeypatch: pytest.MonkeyPatch) -> None:
    """Apart, unless `FLEURON_JOBS=1` or WeasyPrint is here already."""
    monkeypatch.delenv("FLEURON_JOBS", raising=False)
    assert other_processes() == (os.name == "posix")
    monkeypatch.setenv("FLEURON_JOBS", "1")
    assert not other_processes() and not Layouts().apart
    monkeypatch.delenv("FLEURON_JOBS")
    import weasyprint  # noqa: F401  (as after a first build in `fleuron watch`)

    assert not Layouts().apart


def _in_another_process(job: LayoutJob) -> Laid:
    process = LayoutProcess()
    try:
        process.send(job)
        return process.result()
    finally:
        process.stop()


@pytest.mark.slow
def test_a_layout_made_in_another_process_is_the_same(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    source = project(tmp_path, text="Un idéogramme : 漢.\n")
    doc = pipeline.load_book([source])
    job = handout_job(doc)
    with caplog.at_level(logging.WARNING, logger="fleuron"):
        caplog.clear()
        laid = _in_another_process(job)
    said_there = [record.getMessage() for record in caplog.records]
    here = lay_out(job)
    assert laid == here and laid.pages == 1 and laid.page_texts[0].startswith("Un idéogramme")
    assert any("漢" in message for message in said_there)  # the finisher's warning, given here


def test_an_error_in_another_process_is_raised_here(tmp_path: Path) -> None:
    doc = pipeline.load(project(tmp_path, text="Texte.\n"))
    with pytest.raises(FleuronError, match="unknown PDF variant 'pdf/zz'"):
        _in_another_process(handout_job(doc, PrintOptions(variant="pdf/zz")))
    carried = pickle.loads(pickle.dumps(FleuronError("à corriger", "livre.md", 9)))
    assert (carried.file, carried.line, str(carried)) == ("livre.md", 9, "livre.md:9: à corriger")


def _children() -> list[int]:
    me = str(os.getpid())
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == me and fields.get("State", "").strip()[:1] != "Z":
            found.append(int(status.parent.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_a_failed_build_leaves_no_second_process(tmp_path: Path) -> None:
    before = _children()
    source = project(tmp_path, text="Texte.\n\n![absente](absente.png)\n")
    layouts = Layouts(apart=True)
    with pytest.raises(FleuronError):
        pipeline.build(source, tmp_path / "dist", ["epub", "pdf", "handout"], layouts=layouts)
    assert set(layouts.processes) == {"book"}  # started before the manuscript was read
    assert _children() == before


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_layout_process_ends_with_a_killed_first_process(tmp_path: Path) -> None:
    """Killed outright (SIGKILL, out of memory), the first process cannot stop the layout it
    asked for: the layout process must not go on alone for the seconds a long book takes."""
    long = tmp_path / "long.md"
    long.write_text(FRONT + "Une phrase de plus ; et une autre !\n\n" * 20000, encoding="utf-8")
    script = (
        "import sys, time; from pathlib import Path; from fleuron.pipeline import load_book; "
        "from fleuron.parallel import LayoutProcess; from fleuron.writers.pdf import book_job; "
        "job = book_job(load_book([Path(sys.argv[1])])); "
        "p = LayoutProcess(); p.send(job); print(p.process.pid, flush=True); time.sleep(120)"
    )
    first = subprocess.Popen([sys.executable, "-c", script, str(long)], stdout=subprocess.PIPE, text=True)
    assert first.stdout is not None
    child = int(first.stdout.readline())
    time.sleep(1.5)  # WeasyPrint imported, the layout begun
    assert _alive(child)
    first.kill()
    first.wait()
    deadline = time.monotonic() + 3
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child), f"the layout process {child} outlived the process that started it"


def _alive(pid: int) -> bool:
    try:
        return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


@pytest.mark.slow
def test_a_layout_process_that_cannot_start_leaves_the_layout_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A frozen program, or a Python without Fleuron on its path: the build still ends well."""
    source = project(tmp_path, text="Texte.\n")
    here = pipeline.build(source, tmp_path / "here", ["pdf"], layouts=Layouts(apart=False))
    monkeypatch.setattr(sys, "executable", "/bin/false")
    layouts = Layouts(apart=True)
    there = pipeline.build(source, tmp_path / "there", ["pdf"], layouts=layouts)
    assert set(layouts.processes) == {"book"}
    assert there.outputs[0].path.read_bytes() == here.outputs[0].path.read_bytes()


def test_a_broken_weasyprint_is_an_error_not_a_silent_success(tmp_path: Path) -> None:
    fake = tmp_path / "fake" / "weasyprint"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise OSError(\"cannot load library 'libpango-1.0-0'\")\n")
    source = project(tmp_path / "p", text="Texte.\n")
    out = tmp_path / "out"
    result = fleuron("build", str(source), "-o", str(out), "--format", "pdf", env={"PYTHONPATH": str(fake.parent)})
    assert result.returncode == 1, (result.returncode, result.stderr)
    assert "fleuron: error: cannot load library 'libpango-1.0-0'" in result.stderr
    assert not out.exists() or not list(out.glob("*.pdf"))


# --- Caches and the cover -------------------------------------------------------------------


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


def test_the_drawn_cover_is_paper_ink_and_accent(tmp_path: Path) -> None:
    face = fonts.find_font_file("LinLibertine_R.otf", fonts.SYSTEM_FONT_DIRS)
    italic = fonts.find_font_file("LinLibertine_RI.otf", fonts.SYSTEM_FONT_DIRS)
    assert face is not None and italic is not None
    doc = pipeline.load(project(tmp_path, front="---\ntitle: Un titre\nauthors: [Une Autrice]\nlang: fr\n---\n\n"))
    image = Image.open(io.BytesIO(cover.cover_png(doc.meta, face, italic)))
    assert image.size == (cover.WIDTH, cover.HEIGHT) and image.mode == "P"
    rgb = image.convert("RGB")
    colours = {colour for _, colour in rgb.getcolors(1 << 16) or []}
    assert {cover._PAPER, cover._INK, cover._ACCENT} <= colours
    assert rgb.getpixel((0, 0)) == cover._PAPER
    ink = [x for x in range(cover.WIDTH) if rgb.getpixel((x, int(cover.HEIGHT * 0.72) + 40)) == cover._INK]
    assert ink  # the author's name, across its line
