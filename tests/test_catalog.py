"""`fleuron catalog build`: many titles, built in a local pool of processes or on a real Dask
cluster (a `dask scheduler` and two `dask worker` processes), the same bytes either way; the
OPDS 2.0 feed checked against the real schemas (tests/data/opds/), the OPDS 1.2 feed's links all
followed, a broken title that stops nothing else, a second run that rebuilds nothing, and no
process or temporary folder left behind. Titles are tiny, EPUB only: no PDF is laid out."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote
from urllib.request import urlopen

import pytest
from lxml import etree

from helpers import DATA, ROOT, Lines, fleuron, wait_until

OPDS_SCHEMAS = DATA / "opds"
ATOM = "{http://www.w3.org/2005/Atom}"
ATOM_TYPE = "application/atom+xml;profile=opds-catalog;kind=acquisition"

TITLES = {
    "premier": (
        "livre.md",
        "---\ntitle: Premier titre\nlang: fr\ndate: 2026-03-01\nauthors: [Jeanne Martin]\n"
        'description: "Un court essai."\nkeywords: [essai, typographie]\n---\n\n# Début\n\nUn texte : court.\n',
    ),
    "second": (
        "livre.md",
        '---\ntitle: "L\'autre livre"\nsubtitle: "Récit"\nlang: fr\ndate: 2026-04-02\n'
        "authors: [Paul Durand, Anne Roy]\npublisher: Maison Roy\nisbn: 9780000000002\n---\n\n"
        "Un autre texte ; bref.\n",
    ),
    "troisième titre": (
        "manuscript/book.md",
        '---\ntitle: Third\nlang: en\ndate: 2025-01-15\ndescription: "An English title."\n---\n\nShort text.\n',
    ),
}


def make_catalogue(root: Path) -> Path:
    """Three titles (one a project with its fleuron.toml, one in a folder whose name needs
    quoting in a link) and the catalogue's settings."""
    folder = root / "catalogue"
    for name, (file, text) in TITLES.items():
        path = folder / name / file
        path.parent.mkdir(parents=True)
        path.write_text(text, encoding="utf-8")
    (folder / "troisième titre" / "fleuron.toml").write_text('[book]\nsources = ["manuscript/book.md"]\n')
    (folder / "catalog.toml").write_text(
        '[catalog]\ntitle = "Catalogue d’essai"\npublisher = "Éditions de l’Essai"\nlanguage = "fr"\n'
        'base_url = "https://example.org/catalogue/"\nformats = ["epub"]\n',
        encoding="utf-8",
    )
    return folder


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file a reader is given (not the titles' states), by path."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    }


def marked_processes(mark: str) -> list[int]:
    """The processes whose environment holds `mark` (every process a command started inherits it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if mark.encode() in (entry / "environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.fixture
def isolated(tmp_path: Path) -> Iterator[dict[str, str]]:
    """An environment whose processes can be found (a mark) and whose temporary folders are
    the test's own; after the test, none of either is left."""
    mark = f"FLEURON_TEST_MARK={uuid.uuid4()}"
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = {"FLEURON_TEST_MARK": mark.split("=", 1)[1], "TMPDIR": str(temporary)}
    yield env
    wait_until(lambda: not marked_processes(mark), 30, what="every process the test started has ended")
    left = [path.name for path in temporary.iterdir() if path.name.startswith("fleuron-tmp-")]
    assert not left, f"temporary folders left: {left}"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A catalogue built once, with two local processes, for the tests that read its files."""
    root = tmp_path_factory.mktemp("catalog")
    result = fleuron("catalog", "build", str(make_catalogue(root)), "-o", str(root / "out"), "--jobs", "2")
    assert result.returncode == 0, result.stderr
    return root / "out"


# --- The feeds -----------------------------------------------------------------------------


def opds_validator() -> object:
    """A validator for the OPDS 2.0 feed schema, every schema it references found in the tests'
    data (as published by opds-community/specs and readium/webpub-manifest), formats checked."""
    from jsonschema import Draft7Validator, validators
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    def load(path: Path) -> dict[str, object]:
        schema: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
        # All are draft-07 (said below): without `$schema`, a referenced schema is checked by
        # this validator, with its `pattern`, not by jsonschema's own Draft7Validator.
        assert schema.pop("$schema") == "http://json-schema.org/draft-07/schema#"
        return schema

    resources: list[tuple[str, Resource[object]]] = []
    for path in sorted(OPDS_SCHEMAS.rglob("*.schema.json")):
        schema = load(path)
        resources.append((str(schema["$id"]), DRAFT7.create_resource(schema)))
        if schema["$id"] == "https://specs.opds.io/schema/properties.schema.json":
            # The Readium link schema refers to it at its drafts address.
            resources.append(("https://drafts.opds.io/schema/properties.schema.json", DRAFT7.create_resource(schema)))
    feed = load(OPDS_SCHEMAS / "opds" / "feed.schema.json")
    registry: Registry[object] = Registry().with_resources(resources)
    validator = validators.extend(Draft7Validator, {"pattern": ecma_pattern})
    return validator(feed, registry=registry, format_checker=Draft7Validator.FORMAT_CHECKER)


def ecma_pattern(validator: object, pattern: str, instance: object, schema: object) -> Iterator[object]:
    """JSON Schema's `pattern` is an ECMA-262 regular expression; the Readium schemas' language
    tag pattern names its groups as ECMA does, `(?<name>…)`, which Python writes `(?P<name>…)`
    (nothing else in them differs)."""
    from jsonschema import ValidationError

    if isinstance(instance, str) and not re.search(re.sub(r"\(\?<(?=[A-Za-z])", "(?P<", pattern), instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def schema_errors(feed: object) -> list[str]:
    validator = opds_validator()
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(feed)]  # type: ignore[attr-defined]


def test_opds_json_is_valid_against_the_opds_2_schemas(built: Path) -> None:
    feed = json.loads((built / "opds.json").read_text(encoding="utf-8"))
    assert schema_errors(feed) == []
    assert {"rel": "self", "href": "opds.json", "type": "application/opds+json"} in feed["links"]
    by_title = {p["metadata"]["title"]: p for p in feed["publications"]}
    assert set(by_title) == {"Premier titre", "L’autre livre", "Third"}  # the title as typeset
    first = by_title["Premier titre"]["metadata"]
    assert first["author"] == [{"name": "Jeanne Martin"}]
    assert first["language"] == "fr"
    assert first["identifier"].startswith("urn:uuid:")
    assert first["modified"] == "2026-03-01T00:00:00Z"  # the book's date, never the run's
    assert first["description"] == "Un court essai."
    assert first["subject"] == [{"name": "essai"}, {"name": "typographie"}]
    assert first["publisher"] == [{"name": "Éditions de l’Essai"}]  # the catalogue's, the book naming none
    other = by_title["L’autre livre"]["metadata"]
    assert other["publisher"] == [{"name": "Maison Roy"}]  # the book's own
    assert other["subtitle"] == "Récit"
    assert other["altIdentifier"] == ["urn:isbn:9780000000002"]
    assert feed["metadata"]["modified"] == "2026-04-02T00:00:00Z"
    for publication in feed["publications"]:
        (epub,) = publication["links"]
        assert epub["type"] == "application/epub+zip" and epub["rel"] == "http://opds-spec.org/acquisition"
        (image,) = publication["images"]
        for link in (epub, image):
            assert not re.match(r"[a-z]+:|/", link["href"]), "a relative link"
            assert (built / unquote(link["href"])).is_file()
        assert epub["size"] == (built / unquote(epub["href"])).stat().st_size


def test_the_schemas_reject_a_feed_that_breaks_them(built: Path) -> None:
    """The validator is not a formality: a publication without acquisition link, a feed without
    `self`, and a date that is not one, are each refused."""
    feed = json.loads((built / "opds.json").read_text(encoding="utf-8"))
    no_acquisition = json.loads(json.dumps(feed))
    for link in no_acquisition["publications"][0]["links"]:
        link["rel"] = "alternate"
    no_self = {**feed, "links": [link for link in feed["links"] if link["rel"] != "self"]}
    bad_date = json.loads(json.dumps(feed))
    bad_date["publications"][1]["metadata"]["modified"] = "2 avril 2026"
    for broken in (no_acquisition, no_self, bad_date):
        assert schema_errors(broken)


def test_the_atom_feed_parses_and_every_link_leads_to_a_file(built: Path) -> None:
    feed = etree.parse(str(built / "catalog.xml")).getroot()
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{required}") is not None
    assert feed.findtext(f"{ATOM}id") == "https://example.org/catalogue/"
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == len(TITLES)
    links = feed.findall(f".//{ATOM}link")
    for link in links:
        target = link.get("href")
        assert target and not re.match(r"[a-z]+:|/", target), f"a relative link: {target}"
        assert (built / unquote(target)).is_file(), target
    for entry in entries:
        rels = [link.get("rel") for link in entry.findall(f"{ATOM}link")]
        assert "http://opds-spec.org/acquisition" in rels
        assert "http://opds-spec.org/image" in rels and "http://opds-spec.org/image/thumbnail" in rels
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", entry.findtext(f"{ATOM}updated") or "")
    acquisition = [link for link in links if link.get("rel") == "http://opds-spec.org/acquisition"]
    for link in acquisition:
        assert int(link.get("length") or 0) == (built / unquote(link.get("href") or "")).stat().st_size


def test_the_feeds_come_in_pages_that_link_to_each_other(built: Path, tmp_path: Path, isolated: dict[str, str]) -> None:
    """Two titles a page: three pages of each feed and of the web page, each feed page valid,
    first/previous/next/last as RFC 5005 says, every title once in the catalogue's order; a
    longer page size after removes the pages no longer linked."""
    out = tmp_path / "out"
    shutil.copytree(built, out)
    catalogue = make_catalogue(tmp_path / "source")
    settings = catalogue / "catalog.toml"
    settings.write_text(settings.read_text(encoding="utf-8") + "page_size = 2\n", encoding="utf-8")
    for name in ("quatre", "cinq"):
        (catalogue / name).mkdir()
        (catalogue / name / "livre.md").write_text(f"---\ntitle: {name}\nlang: fr\n---\n\nTexte.\n", encoding="utf-8")
    assert fleuron("catalog", "build", str(catalogue), "-o", str(out)).returncode == 0
    every = sorted([*TITLES, "quatre", "cinq"])

    def follow_json() -> list[str]:
        seen, page, number = [], "opds.json", 1
        while True:
            feed = json.loads((out / page).read_text(encoding="utf-8"))
            assert schema_errors(feed) == []
            links = {link["rel"]: link["href"] for link in feed["links"]}
            assert links["self"] == page and links["first"] == "opds.json" and links["last"] == "opds-3.json"
            assert feed["metadata"].items() >= {"numberOfItems": 5, "itemsPerPage": 2, "currentPage": number}.items()
            assert ("previous" in links) == (number > 1)
            seen += [p["links"][0]["href"].split("/")[0] for p in feed["publications"]]
            if "next" not in links:
                return seen
            page, number = links["next"], number + 1

    def follow_atom() -> list[str]:
        seen, page = [], "catalog.xml"
        while True:
            feed = etree.parse(str(out / page)).getroot()
            links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
            assert links["self"] == page and links["start"] == links["first"] == "catalog.xml"
            seen += [unquote(e.find(f"{ATOM}link[@rel='http://opds-spec.org/acquisition']").get("href")).split("/")[0]
                     for e in feed.findall(f"{ATOM}entry")]  # fmt: skip
            if "next" not in links:
                return seen
            page = links["next"]

    def follow_html() -> list[str]:
        seen, page, titles = [], "index.html", set()
        while True:
            root = etree.parse(str(out / page), etree.HTMLParser()).getroot()
            titles.add(root.findtext(".//title"))
            assert [h.text for h in root.iter("h1")] == ["Catalogue d’essai"]
            seen += [unquote(a.get("href")).split("/")[0] for a in root.xpath("//a[@download]")]
            nav = {a.get("rel"): a.get("href") for a in root.xpath("//nav[@aria-label]//a")}
            assert nav == {a.get("rel"): a.get("href") for a in root.xpath("//head/link[@rel='prev' or @rel='next']")}
            if "next" not in nav:
                assert len(titles) == 3, "each page its own title"
                return seen
            page = nav["next"]

    assert [unquote(name) for name in follow_json()] == every
    assert follow_atom() == every
    assert follow_html() == every
    assert sorted(p.name for p in out.glob("opds*.json")) == ["opds-2.json", "opds-3.json", "opds.json"]

    with served(out, isolated) as address:  # every page with the media type its links announce
        for page, media_type in (("opds-2.json", "application/opds+json"), ("catalog-3.xml", ATOM_TYPE)):
            with urlopen(address + page) as answer:
                assert answer.headers["Content-Type"] == media_type

    # Files of the user's named like pages, but not ones Fleuron writes, stay.
    theirs = ["index-2023.html", "catalog-1.xml", "opds-01.json"]
    for name in theirs:
        (out / name).write_text("à moi")
    settings.write_text(settings.read_text(encoding="utf-8").replace("page_size = 2", "page_size = 5"))
    assert fleuron("catalog", "build", str(catalogue), "-o", str(out)).returncode == 0
    assert sorted(p.name for p in out.glob("opds*.json")) == ["opds-01.json", "opds.json"]
    assert sorted(p.name for p in out.glob("catalog*.xml")) == ["catalog-1.xml", "catalog.xml"]
    assert sorted(p.name for p in out.glob("index*.html")) == ["index-2023.html", "index.html"]
    assert b"<nav" not in (out / "index.html").read_bytes()
    feed = json.loads((out / "opds.json").read_text(encoding="utf-8"))
    assert {link["rel"] for link in feed["links"]} == {"self", "alternate"}  # one page: no paging links
    assert "currentPage" not in feed["metadata"] and len(feed["publications"]) == 5


def test_covers_are_those_the_epubs_carry(built: Path) -> None:
    import hashlib
    import zipfile

    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    assert [title["folder"] for title in manifest["titles"]] == sorted(TITLES)
    for title in manifest["titles"]:
        (epub,) = title["files"]
        data = (built / epub["name"]).read_bytes()
        assert epub["size"] == len(data) and epub["sha256"] == hashlib.sha256(data).hexdigest()
        (cover,) = (built / title["folder"]).glob("*-cover.*")
        with zipfile.ZipFile(built / epub["name"]) as archive:
            inside = [archive.read(name) for name in archive.namelist() if "/images/cover" in name]
        assert inside == [cover.read_bytes()]


def test_the_web_page_lists_every_title_and_reads_well_on_a_phone(built: Path) -> None:
    import hashlib

    page = etree.parse(str(built / "index.html"), etree.HTMLParser()).getroot()
    assert page.get("lang") == "fr"
    assert page.xpath("//meta[@name='viewport']/@content") == ["width=device-width, initial-scale=1"]
    assert page.findtext(".//title") == "Catalogue d’essai"
    assert [h.text for h in page.iter("h1")] == ["Catalogue d’essai"]
    assert sorted(h.text for h in page.iter("h2")) == sorted(["Premier titre", "L’autre livre", "Third"])
    for image in page.iter("img"):  # every image described, with its size (no layout shift)
        assert image.get("alt") and image.get("width") and image.get("height")
    downloads = page.xpath("//a[@download]")
    assert len(downloads) == len(TITLES)
    for link in downloads:
        path = built / unquote(link.get("href"))
        digest = link.getparent().xpath("string(.//code)")
        assert digest == hashlib.sha256(path.read_bytes()).hexdigest()
        assert re.search(r"\d+\u00a0Ko", "".join(link.itertext())), "the size, in French"
    # Every article is named by its heading; headings go h1 > h2 with no gap.
    for article in page.iter("article"):
        assert page.xpath(f"//*[@id='{article.get('aria-labelledby')}']/text()")
    assert b"http" not in (built / "index.html").read_bytes().replace(b"https://example.org", b"")


# --- Incremental, failures -----------------------------------------------------------------


def test_a_second_run_rebuilds_nothing_and_a_changed_title_alone_is_rebuilt(tmp_path: Path) -> None:
    catalogue, out = make_catalogue(tmp_path), tmp_path / "out"
    assert fleuron("catalog", "build", str(catalogue), "-o", str(out), "--jobs", "1").returncode == 0
    before = {path: path.stat().st_mtime_ns for path in out.rglob("*")}
    again = fleuron("catalog", "build", str(catalogue), "-o", str(out), "-v")
    assert again.returncode == 0, again.stderr
    assert "0 built, 3 unchanged, 0 failed" in again.stdout
    assert {path: path.stat().st_mtime_ns for path in out.rglob("*")} == before

    source = catalogue / "second" / "livre.md"
    source.write_text(source.read_text(encoding="utf-8") + "\nUn ajout.\n", encoding="utf-8")
    third = fleuron("catalog", "build", str(catalogue), "-o", str(out))
    assert third.returncode == 0, third.stderr
    assert "1 built, 2 unchanged, 0 failed" in third.stdout
    assert re.search(r"^second\s+built", third.stdout, re.M)
    assert (out / "premier" / "premier-titre.epub").stat().st_mtime_ns == before[out / "premier" / "premier-titre.epub"]


def test_a_broken_title_is_reported_and_the_others_are_built(tmp_path: Path, isolated: dict[str, str]) -> None:
    catalogue, out = make_catalogue(tmp_path), tmp_path / "out"
    assert fleuron("catalog", "build", str(catalogue), "-o", str(out), env=isolated).returncode == 0
    kept = {path: (path.read_bytes(), path.stat().st_mtime_ns) for path in (out / "second").iterdir()}
    # The second title breaks (an unknown front matter key); the first changes.
    broken = catalogue / "second" / "livre.md"
    broken.write_text(broken.read_text(encoding="utf-8").replace("date:", "dtae:"), encoding="utf-8")
    first = catalogue / "premier" / "livre.md"
    first.write_text(first.read_text(encoding="utf-8") + "\nUn ajout.\n", encoding="utf-8")

    result = fleuron("catalog", "build", str(catalogue), "-o", str(out), "--jobs", "2", env=isolated)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    line = broken.read_text(encoding="utf-8").split("\n").index("dtae: 2026-04-02") + 1
    assert f"{broken}:{line}: " in result.stderr
    assert "dtae" in result.stderr
    assert re.search(r"^premier\s+built", result.stdout, re.M)
    assert re.search(r"^second\s+failed", result.stdout, re.M)
    assert "1 built, 1 unchanged, 1 failed" in result.stdout
    assert {path: (path.read_bytes(), path.stat().st_mtime_ns) for path in (out / "second").iterdir()} == kept
    # Still in the feeds, as last built.
    assert "L’autre livre" in (out / "opds.json").read_text(encoding="utf-8")


def test_the_summary_writes_seconds_as_the_language_does(tmp_path: Path) -> None:
    """In French, a decimal comma and a no-break space before the unit; in English, as is."""
    catalogue = make_catalogue(tmp_path)
    french = fleuron("catalog", "build", str(catalogue), "-o", str(tmp_path / "fr"), "--jobs", "1",
                     env={"LC_ALL": "fr_FR.UTF-8"})  # fmt: skip
    assert french.returncode == 0, french.stderr
    assert re.search(r"^3 construit\(s\), 0 inchangé\(s\), 0 en échec en \d+,\d\u00a0s\u202f; ", french.stdout, re.M)
    rows = [line for line in french.stdout.splitlines() if " construit " in line]
    assert len(rows) == 3 and all(re.search(r" \d+,\d\u00a0s$", row) for row in rows), rows
    english = fleuron("catalog", "build", str(catalogue), "-o", str(tmp_path / "en"), "--jobs", "1")
    assert re.search(r"^3 built, 0 unchanged, 0 failed in \d+\.\d s; ", english.stdout, re.M)
    assert all(re.search(r" \d+\.\d s$", row) for row in english.stdout.splitlines() if " built " in row)


@pytest.mark.parametrize(
    ("settings", "said"),
    [
        (
            '[catalog]\ntitle = "Essai"\nformat = ["epub"]\n',
            "3: unknown key 'format' in [catalog] (did you mean 'formats'?)",
        ),
        ('[catalog]\ntitle = "Essai"\n\n[catalogue]\n', "4: unknown section '[catalogue]' (did you mean 'catalog'?)"),
        ('[catalog]\ntitle = "Essai\n', "2: the configuration does not parse"),
        ('[catalog]\nformats = "epub"\n', "2: 'formats' has the wrong type"),
        ('[catalog]\nformats = ["epub", "mobi"]\n', "2: unknown format 'mobi'"),
        ("[catalog]\npage_size = 0\n", "2: page_size must be a whole number of titles, 1 or more"),
    ],
)
def test_bad_catalog_settings_name_the_file_and_line(tmp_path: Path, settings: str, said: str) -> None:
    catalogue = make_catalogue(tmp_path)
    (catalogue / "catalog.toml").write_text(settings)
    result = fleuron("catalog", "build", str(catalogue), "-o", str(tmp_path / "out"))
    assert result.returncode == 1
    assert f"{catalogue / 'catalog.toml'}:{said}" in result.stderr
    assert not (tmp_path / "out" / "opds.json").exists()


# --- On a Dask cluster ---------------------------------------------------------------------


@pytest.fixture
def cluster(tmp_path: Path, isolated: dict[str, str]) -> Iterator[str]:
    """A real Dask cluster on this machine: `dask scheduler` and two `dask worker` processes,
    each in a folder of its own (no shared folder: the scheduler's address is all they get)."""
    dask = str(Path(sys.executable).parent / "dask")
    env = {**os.environ, **isolated, "PYTHONPATH": str(ROOT / "src")}
    address_file = tmp_path / "scheduler.json"
    scheduler = [dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                 "--scheduler-file", str(address_file)]  # fmt: skip
    quiet = subprocess.DEVNULL
    processes = [subprocess.Popen(scheduler, env=env, cwd=tmp_path, stdout=quiet, stderr=quiet)]
    try:
        wait_until(lambda: address_file.is_file() and address_file.stat().st_size > 0, 60, what="the scheduler")
        address = json.loads(address_file.read_text())["address"]
        for number in (1, 2):
            folder = tmp_path / f"worker-{number}"
            folder.mkdir()
            worker = [dask, "worker", address, "--nthreads", "1", "--no-dashboard", "--name", f"w{number}",
                      "--local-directory", str(folder)]  # fmt: skip
            processes.append(
                subprocess.Popen(worker, env={**env, "TMPDIR": str(folder)}, cwd=folder, stdout=quiet, stderr=quiet)
            )
        from distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=120)
        yield address
        # A worker killed by a test is started again by its nanny; a nanny stopped while it
        # does so waits a minute for its new worker.
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=120)
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in reversed(processes):
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_a_dask_cluster_builds_the_same_bytes_as_this_machine(
    tmp_path: Path, cluster: str, isolated: dict[str, str]
) -> None:
    catalogue = make_catalogue(tmp_path)
    local = fleuron("catalog", "build", str(catalogue), "-o", str(tmp_path / "local"), "--jobs", "2", env=isolated)
    assert local.returncode == 0, local.stderr
    remote = fleuron("catalog", "build", str(catalogue), "-o", str(tmp_path / "dask"), "--scheduler", cluster,
                     env=isolated)  # fmt: skip
    assert remote.returncode == 0, remote.stderr
    assert "3 built, 0 unchanged, 0 failed" in remote.stdout
    local_files, dask_files = files_of(tmp_path / "local"), files_of(tmp_path / "dask")
    assert sorted(dask_files) == sorted(local_files)
    assert len(local_files) == 4 + 3 * 3  # the feeds, page and manifest; each title's EPUB, cover, manifest
    assert dask_files == local_files
    # And nothing is rebuilt by the cluster when nothing changed.
    again = fleuron("catalog", "build", str(catalogue), "-o", str(tmp_path / "dask"), "--scheduler", cluster,
                    env=isolated)  # fmt: skip
    assert "0 built, 3 unchanged, 0 failed" in again.stdout


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path: Path) -> None:
    catalogue = make_catalogue(tmp_path)
    result = fleuron("catalog", "build", str(catalogue), "-o", str(tmp_path / "out"), "--scheduler",
                     "tcp://127.0.0.1:9")  # fmt: skip
    assert result.returncode == 1
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_gives_the_feeds_with_their_media_types_and_hides_the_states(
    built: Path, isolated: dict[str, str]
) -> None:
    from urllib.error import HTTPError

    with served(built, isolated) as address:
        with urlopen(address + "opds.json") as answer:
            assert answer.headers["Content-Type"] == "application/opds+json"
            assert json.loads(answer.read()) == json.loads((built / "opds.json").read_bytes())
        with urlopen(address + "catalog.xml") as answer:
            assert answer.headers["Content-Type"] == ATOM_TYPE
        feed = json.loads((built / "opds.json").read_bytes())
        epub = feed["publications"][0]["links"][0]
        with urlopen(address + epub["href"]) as answer:
            assert answer.headers["Content-Type"] == "application/epub+zip"
            assert len(answer.read()) == epub["size"]
        for hidden in ("premier/.fleuron-catalog.json", "premier/", "../"):
            with pytest.raises(HTTPError) as refused:
                urlopen(address + hidden)
            assert refused.value.code == 404


@contextmanager
def served(folder: Path, env: dict[str, str]) -> Iterator[str]:
    """`fleuron catalog serve` on `folder`, on a free port: its address, while the block runs."""
    command = [sys.executable, "-m", "fleuron", "catalog", "serve", str(folder), "--port", "0"]
    env = {**os.environ, "LC_ALL": "C.UTF-8", **env}
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        yield Lines(server.stdout).wait_for(r"on (http://127\.0\.0\.1:\d+/)", 60)[1]
    finally:
        server.terminate()
        server.wait(timeout=30)


def _luminance(colour: str) -> float:
    """WCAG 2's relative luminance of a `#rrggbb` colour."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_the_web_page_colours_pass_wcag_aa_contrast_in_light_and_dark(built: Path) -> None:
    """Text, muted text and links against the page, for each colour scheme the page declares
    (its custom properties), at WCAG 2 AA's 4.5:1 for ordinary text."""
    style = (built / "index.html").read_text(encoding="utf-8").split("<style>")[1].split("</style>")[0]
    schemes = re.findall(r":root \{([^}]*)\}", style)
    assert len(schemes) == 2, "a light scheme and a dark one"
    for scheme in schemes:
        colours = dict(re.findall(r"--(\w+): (#[0-9a-f]{6})", scheme))
        paper = _luminance(colours["paper"])
        for role in ("ink", "muted", "link"):
            lighter, darker = sorted((_luminance(colours[role]), paper), reverse=True)
            assert (lighter + 0.05) / (darker + 0.05) >= 4.5, (role, colours)


def _children(pid: int, marker: str) -> list[int]:
    """The processes `pid` started whose command line holds `marker`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                if parent == pid and marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


def test_a_process_that_dies_is_replaced_and_its_titles_built_again(tmp_path: Path, isolated: dict[str, str]) -> None:
    """The pool's process is killed as soon as it exists, with a title in hand: the pool is
    replaced, the titles it held are built again, each alone, and the run ends as if nothing
    had happened."""
    catalogue, out = make_catalogue(tmp_path), tmp_path / "out"
    env = {**os.environ, "LC_ALL": "C.UTF-8", **isolated}
    command = [sys.executable, "-m", "fleuron", "catalog", "build", str(catalogue), "-o", str(out), "--jobs", "1"]
    run = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    (worker, *_) = wait_until(lambda: _children(run.pid, "spawn_main"), 60, what="the pool's process")
    os.kill(worker, 9)
    stdout, stderr = run.communicate(timeout=300)
    assert run.returncode == 0, stderr
    died = re.search(r"a process died while building (.+): each built again, alone", stderr)
    assert died and "premier" in died[1].split(", "), stderr  # the first title, in hand when it died
    assert "3 built, 0 unchanged, 0 failed" in stdout
    assert len(files_of(out)) == 4 + 3 * 3


class WorkerKiller:
    """Kills (SIGKILL, as the kernel's out-of-memory killer does) the Dask worker process that
    says it starts building `title`, at most `times` times: a title whose build makes its
    worker's process die. It listens, from this test's own client, to the events each title's
    task sends as it starts (`catalog.DASK_TOPIC`: the title, the task, the worker and its
    process), and kills at once, while the title is being built."""

    def __init__(self, address: str, title: str, times: int) -> None:
        from distributed import Client

        from fleuron.catalog import DASK_TOPIC

        self.title, self.times = title, times
        self.starts: list[dict[str, object]] = []
        self.killed: list[int] = []
        self.client = Client(address, timeout="30s", set_as_default=False)
        self.client.subscribe_topic(DASK_TOPIC, self._started)

    def _started(self, event: tuple[float, dict[str, object]]) -> None:
        message = event[1]
        if message["title"] != self.title:
            return
        self.starts.append(message)
        if len(self.killed) < self.times:
            pid = int(str(message["pid"]))
            os.kill(pid, signal.SIGKILL)
            self.killed.append(pid)

    def close(self) -> None:
        self.client.close()


def _slow_title(catalogue: Path, name: str) -> None:
    """Make a title long enough (a few hundred paragraphs) that its build outlasts by far the
    milliseconds an event takes to reach the killer."""
    source = catalogue / name / "livre.md"
    paragraphs = "".join(f"\nParagraphe {n} : un texte « court » ; encore un peu de texte ici.\n" for n in range(600))
    source.write_text(source.read_text(encoding="utf-8") + paragraphs, encoding="utf-8")


def test_a_dask_worker_that_dies_building_a_title_has_it_built_once_more_elsewhere(
    tmp_path: Path, cluster: str, isolated: dict[str, str]
) -> None:
    catalogue = make_catalogue(tmp_path)
    _slow_title(catalogue, "premier")
    killer = WorkerKiller(cluster, "premier", times=1)
    try:
        result = fleuron("catalog", "build", str(catalogue), "-o", str(tmp_path / "out"), "--scheduler", cluster,
                         env=isolated)  # fmt: skip
    finally:
        killer.close()
    assert result.returncode == 0, result.stderr
    assert "3 built, 0 unchanged, 0 failed" in result.stdout
    assert re.search(r"a Dask worker died while building premier \(tcp://[^)]+\): tried once more, elsewhere",
                     result.stderr), result.stderr  # fmt: skip
    # Started twice: in the process killed, then in another worker's.
    assert len(killer.starts) == 2 and len(killer.killed) == 1
    first, second = killer.starts
    assert first["pid"] == killer.killed[0] and second["pid"] != first["pid"]
    assert second["worker"] != first["worker"]
    assert len(files_of(tmp_path / "out")) == 4 + 3 * 3


def test_a_title_that_kills_every_dask_worker_it_lands_on_is_reported_after_one_retry(
    tmp_path: Path, cluster: str, isolated: dict[str, str]
) -> None:
    catalogue, out = make_catalogue(tmp_path), tmp_path / "out"
    first = fleuron("catalog", "build", str(catalogue), "-o", str(out), "--scheduler", cluster, env=isolated)
    assert first.returncode == 0, first.stderr
    kept = {path: (path.read_bytes(), path.stat().st_mtime_ns) for path in (out / "second").iterdir()}
    _slow_title(catalogue, "second")  # changed: built again, and it will kill its workers
    changed = catalogue / "premier" / "livre.md"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nUn ajout.\n", encoding="utf-8")

    killer = WorkerKiller(cluster, "second", times=len(TITLES) * 2)
    try:
        result = fleuron("catalog", "build", str(catalogue), "-o", str(out), "--scheduler", cluster, env=isolated)
    finally:
        killer.close()
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "a Dask worker died while building second" in result.stderr
    assert re.search(r"error: .*second: the process building it died twice \(Dask workers tcp://\S+, tcp://",
                     result.stderr), result.stderr  # fmt: skip
    assert re.search(r"^premier\s+built", result.stdout, re.M)
    assert re.search(r"^second\s+failed", result.stdout, re.M)
    assert "1 built, 1 unchanged, 1 failed" in result.stdout
    # Tried twice (a third start may have begun before the cancel reached the scheduler),
    # each time in another process.
    assert 2 <= len(killer.starts) <= 3
    assert len({start["pid"] for start in killer.starts}) == len(killer.starts)
    assert {path: (path.read_bytes(), path.stat().st_mtime_ns) for path in (out / "second").iterdir()} == kept
    assert "L’autre livre" in (out / "opds.json").read_text(encoding="utf-8")
