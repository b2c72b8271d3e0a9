"""A build's output folder holds one build, whole, whatever happens to the build: a full disk, a
file size limit, a kill at any moment of its writing; what a killed build left is cleaned up
by the next one; and no temporary file or folder outlives a build, WeasyPrint's included."""

from __future__ import annotations

import hashlib
import os
import pickle
import random
import resource
import shutil
import signal
import struct
import subprocess
import sys
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from helpers import ROOT, Lines, fleuron, new_project, wait_until

#: The slug of `helpers.new_project`'s book (its title is "Essai").
SLUG_OF_PROJECT = "essai"
#: A paragraph that changes every output: the next build's.
ADDED = "\nUn paragraphe de plus ; il change tout.\n"


def noisy_png(width: int, height: int, seed: int = 0) -> bytes:
    """A real PNG of random pixels, which no compression shrinks: it makes the EPUB that much
    larger than the HTML (which only points to it)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    noise = random.Random(seed)
    rows = b"".join(b"\0" + noise.randbytes(width * 3) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@pytest.fixture
def tmpdir_env(tmp_path: Path) -> dict[str, str]:
    """A private TMPDIR for the builds this test starts: what they leave there is theirs."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    return {"TMPDIR": str(folder)}


def _big_project(root: Path) -> Path:
    """A project whose EPUB (2 MB: a photograph-like image) is far larger than its HTML (10 kB)."""
    source = new_project(root)
    (source.parent / "image.png").write_bytes(noisy_png(820, 820))
    return source


def _is_leftover(name: str) -> bool:
    return name.endswith(".tmp") or name.startswith(".fleuron-journal")


def _files(folder: Path) -> dict[str, bytes]:
    """Every file of the folder, by name (what a build left there, and its own state)."""
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}


def _digests(files: dict[str, bytes]) -> dict[str, str]:
    return {name: hashlib.sha256(data).hexdigest()[:16] for name, data in files.items()}


def _leftovers(folder: Path) -> list[str]:
    return sorted(name for name in os.listdir(folder) if _is_leftover(name))


def _temporary_entries(folder: Path) -> list[str]:
    """WeasyPrint's and Fleuron's temporary folders, anywhere below `folder`."""
    return sorted(
        str(path.relative_to(folder)) for path in folder.rglob("*") if path.name.startswith(("weasyprint-", "fleuron-"))
    )


def _processes_with(tmpdir: str) -> list[int]:
    """The processes whose TMPDIR is, or is inside, `tmpdir`: a build of this test's, or one of
    its layout processes."""
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            variables = environ.read_bytes().split(b"\0")
            state = (environ.parent / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and any(v == f"TMPDIR={tmpdir}".encode() or v.startswith(f"TMPDIR={tmpdir}/".encode())
                                for v in variables):  # fmt: skip
            found.append(int(environ.parent.name))
    return found


def _dead_pid() -> int:
    """The pid of a process that has ended."""
    process = subprocess.Popen([sys.executable, "-c", ""])
    process.wait()
    return process.pid


# --- A full disk, a file size limit -----------------------------------------------------------


@contextmanager
def _small_disk(folder: Path, size: str) -> Iterator[None]:
    """A tmpfs of `size` mounted on `folder` (this needs root: skipped otherwise)."""
    folder.mkdir(parents=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs (needs root): {mounted.stderr.decode(errors='replace').strip()}")
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def _free(folder: Path) -> int:
    info = os.statvfs(folder)
    return info.f_bavail * info.f_frsize


@pytest.mark.slow
def test_a_full_disk_leaves_the_last_build_whole_and_names_the_file(tmp_path: Path, tmpdir_env: dict[str, str]) -> None:
    # The HTML is written first and fits; the EPUB does not. The folder must stay the last
    # build's, manifest and state included, and the error name the EPUB.
    source = _big_project(tmp_path / "p")
    out = tmp_path / "dist"
    with _small_disk(out, "8m"):
        first = fleuron("build", str(source), "-o", str(out), "--format", "html,epub", env=tmpdir_env)
        assert first.returncode == 0, first.stderr
        before = _files(out)
        source.write_text(source.read_text(encoding="utf-8") + ADDED, encoding="utf-8")
        filler = out / "filler"
        filler.write_bytes(b"\0" * (_free(out) - 64 * 1024))  # room for the HTML, not for the EPUB
        full = fleuron("build", str(source), "-o", str(out), "--format", "html,epub", env=tmpdir_env)
        filler.unlink()
        assert _digests(_files(out)) == _digests(before)  # byte for byte, and no temporary file
        assert full.returncode == 1, full.stderr
        assert f"fleuron: error: {out / (SLUG_OF_PROJECT + '.epub')}: No space left on device" in full.stderr
        again = fleuron("build", str(source), "-o", str(out), "--format", "html,epub", env=tmpdir_env)
        assert again.returncode == 0, again.stderr
        assert _leftovers(out) == [] and _files(out).keys() == before.keys()
    assert _temporary_entries(Path(tmpdir_env["TMPDIR"])) == []


def _limited(size: int) -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))


@pytest.mark.slow
def test_a_file_size_limit_leaves_the_last_build_whole_and_names_the_file(
    tmp_path: Path, tmpdir_env: dict[str, str]
) -> None:
    # The same without root: a write past RLIMIT_FSIZE fails with EFBIG (Python ignores SIGXFSZ).
    # 1 MB: more than any font WeasyPrint copies (the cache of Fleuron's is warm after a build).
    source = _big_project(tmp_path / "p")
    out = tmp_path / "dist"
    command = [sys.executable, "-m", "fleuron", "build", str(source), "-o", str(out), "--format", "html,epub"]
    env = {**os.environ, "LC_ALL": "C.UTF-8", **tmpdir_env}
    first = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    before = _files(out)
    source.write_text(source.read_text(encoding="utf-8") + ADDED, encoding="utf-8")
    limited = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, preexec_fn=lambda: _limited(1 << 20)
    )
    assert _digests(_files(out)) == _digests(before)
    assert limited.returncode == 1, limited.stderr
    assert f"fleuron: error: {out / (SLUG_OF_PROJECT + '.epub')}: File too large" in limited.stderr
    assert _temporary_entries(Path(tmpdir_env["TMPDIR"])) == []


# --- A build killed outright ------------------------------------------------------------------

#: `fleuron build`, run by this script, stops just after each event of its writing in the folder
#: `argv[1]` (a temporary file made, a file renamed, a file removed), numbered from 0, and at
#: the one numbered `argv[2]` waits to be killed (on its stdin: no timer). Each event is printed
#: as it happens. The code under test is not changed: only the system calls are watched.
_PAUSING_BUILD = """
import os, sys, tempfile
folder, stop_at = os.path.abspath(sys.argv[1]), int(sys.argv[2])
events = 0
def at(what, path):
    global events
    path = os.path.abspath(os.fsdecode(path))
    if os.path.dirname(path) == folder:
        print("EVENT", events, what, os.path.basename(path), flush=True)
        if events == stop_at:
            sys.stdin.readline()
        events += 1
def after(module, name, path_of):
    real = getattr(module, name)
    def wrapped(*args, **kwargs):
        result = real(*args, **kwargs)
        at(name, path_of(args, result))
        return result
    setattr(module, name, wrapped)
after(tempfile, "mkstemp", lambda args, result: result[1])
after(os, "replace", lambda args, result: args[1])
after(os, "unlink", lambda args, result: args[0])
from fleuron.cli import main
sys.exit(main(sys.argv[3:]))
"""


def _pausing_build(
    script: Path, out: Path, stop_at: int, args: list[str], env: dict[str, str]
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(script), str(out), str(stop_at), *args],
        cwd=ROOT,
        env={**os.environ, "LC_ALL": "C.UTF-8", **env},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _code_as_it_is(folder: Path) -> dict[str, str]:
    """A copy of Fleuron's code and styles, for the builds of a long test to run: the state's
    witness names the code by its files' dates, which an edit made meanwhile would change."""
    shutil.copytree(ROOT / "src" / "fleuron", folder / "src" / "fleuron", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "styles", folder / "styles")
    return {"PYTHONPATH": str(folder / "src")}


def _restore(folder: Path, files: dict[str, bytes]) -> None:
    for path in folder.iterdir():
        path.unlink()
    for name, data in files.items():
        (folder / name).write_bytes(data)


@pytest.mark.slow  # the first builds lay the book out, for the EPUB's page list
def test_a_build_killed_at_any_moment_of_its_writing_leaves_one_whole_build(
    tmp_path: Path, tmpdir_env: dict[str, str]
) -> None:
    """Killed (SIGKILL) after each of its writes in the output folder, a build leaves the last
    build's files or its own, byte for byte (manifest and state included), or, killed while
    renaming, a journal with which the next build completes its own; after the next build,
    no temporary file, no journal and none of its processes remain."""
    source = new_project(tmp_path / "p")
    out = tmp_path / "dist"
    args = ["build", str(source), "-o", str(out), "--format", "html,epub", "--zip"]
    tmpdir_env = {**tmpdir_env, **_code_as_it_is(tmp_path / "code")}
    first = fleuron(*args, env=tmpdir_env)
    assert first.returncode == 0, first.stderr
    old = _files(out)
    source.write_text(source.read_text(encoding="utf-8") + ADDED, encoding="utf-8")
    script = tmp_path / "pausing_build.py"
    script.write_text(_PAUSING_BUILD, encoding="utf-8")
    whole = _pausing_build(script, out, -1, args, tmpdir_env)
    stdout, stderr = whole.communicate(timeout=300)
    assert whole.returncode == 0, stderr
    events = [line.split(maxsplit=3)[2:] for line in stdout.splitlines() if line.startswith("EVENT ")]
    new = _files(out)
    assert len(events) >= 7 and old.keys() == new.keys() and all(old[name] != new[name] for name in new), events
    seen = []
    for number, (what, name) in enumerate(events):
        _restore(out, old)
        build = _pausing_build(script, out, number, args, tmpdir_env)
        assert build.stdout is not None
        said = Lines(build.stdout)
        said.wait_for(rf"^EVENT {number} ", timeout=120)
        build.kill()
        build.wait(timeout=60)
        moment = f"killed after event {number}: {what} {name}"
        wait_until(lambda: not _processes_with(tmpdir_env["TMPDIR"]), timeout=10, what=f"no process left, {moment}")
        assert build.stderr is not None and "Traceback" not in build.stderr.read(), moment
        journal = any(n.startswith(".fleuron-journal") for n in os.listdir(out))
        left = {n: data for n, data in _files(out).items() if not _is_leftover(n)}
        if not journal:
            assert left in (old, new), (moment, _digests(left), _digests(old), _digests(new))
        probe = tmp_path / "probe"
        shutil.rmtree(probe, ignore_errors=True)
        shutil.copytree(out, probe)
        # The next build: it completes or removes what the killed one left, then builds.
        after = fleuron(*args, env=tmpdir_env)
        assert after.returncode == 0, (moment, after.stderr)
        assert _leftovers(out) == [], moment
        assert _digests(_files(out)) == _digests(new), moment
        # What that build does first, alone: the folder is then one build, whole.
        from fleuron.storage import recover

        recover(probe)
        assert _leftovers(probe) == [], moment
        recovered = _files(probe)
        assert recovered in (old, new) and (recovered == new or not journal), moment
        seen.append(("journal" if journal else "") + ("new" if recovered == new else "old"))
    assert {"old", "journalnew", "new"} <= set(seen), seen
    assert _temporary_entries(Path(tmpdir_env["TMPDIR"])) == []


def test_the_next_build_removes_what_a_dead_build_left_even_with_nothing_to_do(
    tmp_path: Path, tmpdir_env: dict[str, str]
) -> None:
    """An unchanged build stops early, but not before a dead build's leftovers are removed; a
    temporary file of a build still running is left to it."""
    source = new_project(tmp_path / "p")
    out = tmp_path / "dist"
    args = ["build", str(source), "-o", str(out), "--format", "html"]
    assert fleuron(*args, env=tmpdir_env).returncode == 0
    built = _files(out)
    dead, alive = _dead_pid(), os.getpid()
    (out / f".{SLUG_OF_PROJECT}.html.{dead}.abcd_123.tmp").write_bytes(b"")  # SIGKILLed as it began
    (out / f".{SLUG_OF_PROJECT}.epub.{dead}.efgh_456.tmp").write_bytes(b"half an EPUB")
    running = out / f".{SLUG_OF_PROJECT}.html.{alive}.ijkl_789.tmp"
    running.write_bytes(b"being written")
    again = fleuron(*args, env=tmpdir_env)
    assert again.returncode == 0, again.stderr
    assert _leftovers(out) == [running.name]
    assert _files(out) == {**built, running.name: b"being written"}


def test_a_layout_process_whose_first_process_is_gone_ends_silently(tmp_path: Path) -> None:
    # Its first process gone, a job cut short on its stdin and nobody to read its answer: it
    # ends without a traceback (the BrokenPipeError it used to print), whatever its status.
    process = subprocess.Popen(
        [sys.executable, "-m", "fleuron.parallel", str(os.getpid())],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "TMPDIR": str(tmp_path)},
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdout.close()  # no one reads the answer
    process.stdin.write(pickle.dumps(("a job", "x" * 10_000))[:500])
    process.stdin.close()
    assert process.stderr is not None
    said = process.stderr.read().decode(errors="replace")  # until it ends
    assert process.wait(timeout=60) in (0, 1)
    assert said == ""


# --- Temporary folders ------------------------------------------------------------------------


def _wait_for_weasyprints_folder(tmpdir: Path, process: subprocess.Popen[str]) -> None:
    """Until WeasyPrint has copied the book's fonts (its `weasyprint-*` folder): the layout is
    under way."""

    def copied() -> bool:
        assert process.poll() is None, "the build ended before its layout could be watched"
        return any(tmpdir.rglob("weasyprint-*"))

    wait_until(copied, timeout=120, interval=0.01, what="WeasyPrint's font folder")


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads /proc")
def test_no_temporary_folder_outlives_a_build(tmp_path: Path, tmpdir_env: dict[str, str]) -> None:
    """WeasyPrint copies the book's fonts into a `weasyprint-*` folder that it removes only when
    Python ends normally, which a layout process never does: whether the build succeeds, fails,
    is interrupted or killed outright (the next build cleaning up), nothing of it remains."""
    tmpdir = Path(tmpdir_env["TMPDIR"])
    source = new_project(tmp_path / "p", text="Une phrase de plus ; et une autre !\n\n" * 1500)
    out = tmp_path / "dist"
    args = ["build", str(source), "-o", str(out), "--format", "pdf,handout"]
    built = fleuron(*args, env=tmpdir_env)
    assert built.returncode == 0, built.stderr
    assert _temporary_entries(tmpdir) == [], "after a build"
    broken = new_project(tmp_path / "broken", text="Texte.\n\n![absente](absente.png)\n")
    failed = fleuron("build", str(broken), "-o", str(tmp_path / "none"), "--format", "pdf,handout", env=tmpdir_env)
    assert failed.returncode == 1, failed.stderr
    assert _temporary_entries(tmpdir) == [], "after a failed build"
    old = _files(out)
    source.write_text(source.read_text(encoding="utf-8") + ADDED, encoding="utf-8")
    for how in (signal.SIGTERM, signal.SIGKILL):
        build = subprocess.Popen(
            [sys.executable, "-m", "fleuron", *args],
            cwd=ROOT,
            env={**os.environ, "LC_ALL": "C.UTF-8", **tmpdir_env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        _wait_for_weasyprints_folder(tmpdir, build)
        build.send_signal(how)
        _, stderr = build.communicate(timeout=120)
        assert "Traceback" not in stderr, stderr
        wait_until(lambda: not _processes_with(str(tmpdir)), timeout=10, what=f"no process left after {how.name}")
        assert _files(out) == old and _leftovers(out) == []
        if how == signal.SIGTERM:
            assert build.returncode == 130, stderr
            assert _temporary_entries(tmpdir) == [], "after an interrupted build"
    # Killed outright, it could remove nothing: the next build does.
    after = fleuron(*args, env=tmpdir_env)
    assert after.returncode == 0, after.stderr
    assert _temporary_entries(tmpdir) == [], "after a killed build and the next one"
    assert _leftovers(out) == [] and _files(out).keys() == old.keys()


def test_the_command_removes_its_own_temporary_folders_as_it_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever path made one and failed to remove it, no folder of the command's outlives it
    (one was seen once, after a failed build under load); another live process's stays."""
    import tempfile

    from fleuron import cli

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    own = tmp_path / f"fleuron-tmp-{os.getpid()}-abcd1234"
    others = tmp_path / f"fleuron-tmp-{os.getppid()}-abcd1234"  # the test runner's parent: alive
    for folder in (own, others):
        (folder / "weasyprint-x").mkdir(parents=True)
    assert cli.main(["build", str(tmp_path / "absent.md"), "-o", str(tmp_path / "out")]) == 1
    assert not own.exists() and others.exists()
