"""The words the writers set themselves come from one table: the print and the ebook of a book
agree whatever its language, every language has every word, and one fallback for the rest."""

from __future__ import annotations

import dataclasses
import datetime as dt
import string
import zipfile
from pathlib import Path

import pytest
from lxml import etree

import fleuron as api
from fleuron.writers.pdf import book_html

from helpers import NS

X = NS["x"]
_TEXT = "# Premier\n\nUn texte[^1].\n\n## Second\n\nEncore.\n\n[^1]: Une note.\n"


def _book(tmp_path: Path, lang: str) -> tuple[str, str]:
    """The title of the printed contents and that of the EPUB's navigation, for a book in `lang`."""
    source = tmp_path / "book.md"
    source.write_text(
        f"---\ntitle: Essai\nlang: {lang}\ndate: 2024-03-05\n"
        f"identifier: urn:uuid:00000000-0000-4000-8000-000000000001\n---\n{_TEXT}",
        encoding="utf-8",
    )
    doc = api.load(source)
    html = etree.fromstring(book_html(doc).encode("utf-8"))
    printed = html.findtext(f".//{{{X}}}h2[@class='toc-title']")
    api.write_epub(doc, tmp_path / "book.epub")
    with zipfile.ZipFile(tmp_path / "book.epub") as package:
        (name,) = [n for n in package.namelist() if n.endswith("nav.xhtml")]
        nav = etree.fromstring(package.read(name))
    ebook = nav.findtext(f".//{{{X}}}nav[@{{{NS['epub']}}}type='toc']/{{{X}}}h1")
    return printed or "", ebook or ""


@pytest.mark.parametrize(("lang", "word"), [("de", "Inhalt"), ("es", "Índice"), ("it", "Indice"), ("en", "Contents")])
def test_print_and_ebook_name_the_contents_alike(tmp_path: Path, lang: str, word: str) -> None:
    assert _book(tmp_path, lang) == (word, word)


def test_french_print_has_a_sommaire_and_the_ebook_a_table_des_matieres(tmp_path: Path) -> None:
    # The short table at the front of a French book and the full one are two things.
    assert _book(tmp_path, "fr-CA") == ("Sommaire", "Table des matières")


def test_an_unknown_language_gets_english_in_both_writers(tmp_path: Path) -> None:
    assert _book(tmp_path, "nl") == ("Contents", "Contents")


def test_every_language_has_every_word() -> None:
    from fleuron.writers.labels import LANGUAGES

    assert set(LANGUAGES) == {"fr", "en", "de", "es", "it"}
    english = LANGUAGES["en"]
    for lang, words in LANGUAGES.items():
        assert len(words.months) == 12 and len(set(words.months)) == 12, lang
        for field in dataclasses.fields(words):
            value, model = getattr(words, field.name), getattr(english, field.name)
            assert value, (lang, field.name)
            if isinstance(value, str):  # a template fills in the same names in every language
                assert _names(value) == _names(model), (lang, field.name)


def _names(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("tag", ["fr", "fr-CA", "fr_BE", "FR-fr", "fr-Latn-CH"])
def test_region_and_script_subtags_fall_back_to_the_language(tag: str) -> None:
    from fleuron.writers.labels import FRENCH, labels

    assert labels(tag) is FRENCH


@pytest.mark.parametrize("tag", ["nl", "zh-Hant-TW", "x-klingon", ""])
def test_a_language_the_table_lacks_gets_english(tag: str) -> None:
    from fleuron.writers.labels import ENGLISH, labels

    assert labels(tag) is ENGLISH


@pytest.mark.parametrize(
    ("lang", "day", "expected"),
    [
        ("fr", dt.date(2024, 3, 5), "5\u00a0mars 2024"),
        ("en", dt.date(2024, 3, 5), "5\u00a0March 2024"),
        ("de", dt.date(2024, 3, 5), "5.\u00a0März 2024"),
        ("es", dt.date(2024, 3, 5), "5 de marzo de 2024"),
        ("it", dt.date(2024, 3, 5), "5\u00a0marzo 2024"),
        # The first of the month, an ordinal where the language says so.
        ("fr", dt.date(2024, 4, 1), "1er\u00a0avril 2024"),
        ("it", dt.date(2024, 4, 1), "1º\u00a0aprile 2024"),
        ("en", dt.date(2024, 4, 1), "1\u00a0April 2024"),
        ("de", dt.date(2024, 4, 1), "1.\u00a0April 2024"),
    ],
)
def test_the_long_date(lang: str, day: dt.date, expected: str) -> None:
    from fleuron.writers.labels import labels

    assert labels(lang).long_date(day) == expected
