"""Plain text -> model: the clean-up, the structure found, `fleuron import` and its errors.

The fixtures in tests/data/plaintext/ are articles of other shapes than ours, written for these
tests: blank-line paragraphs wrapped at 72 columns, `*` and `•` bullets, CRLF with a BOM, tabs,
zero-width spaces and soft hyphens, no numbered parts, an English one, numbered list items that
are not sections, a decimal numbering, list bullets lost in a paste.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree, html

import fleuron
from fleuron import FleuronError
from fleuron.importing import imported_markdown
from fleuron.model import (
    Block,
    BulletList,
    Document,
    HardBreak,
    Heading,
    OrderedList,
    Paragraph,
    SoftBreak,
    Text,
    ThematicBreak,
)
from fleuron.readers.markdown import read_markdown
from fleuron.readers.plaintext import (
    INVISIBLE,
    analyze_plaintext,
    clean_line,
    clean_text,
    guess_language,
    read_plaintext,
)
from fleuron.walk import plain_text
from fleuron.writers.markdown import to_markdown
from fleuron.writers.xhtml import XHTML_NS

from helpers import ARTICLE_MD, ARTICLE_TXT, article_outline, without_pos, words
from helpers import fleuron as run

FIXTURES = Path(__file__).parent / "data" / "plaintext"


# --- Helpers -----------------------------------------------------------------------------


def text_of(block: Paragraph | Heading) -> str:
    return plain_text(block.content)


def item_texts(block: BulletList | OrderedList) -> list[str]:
    texts = []
    for item in block.items:
        (paragraph,) = item.blocks
        assert isinstance(paragraph, Paragraph)
        texts.append(text_of(paragraph))
    return texts


def outline(doc: Document) -> list[tuple[Any, ...]]:
    """Headings with their level and text, paragraphs by their first line, lists with their items."""
    out: list[tuple[Any, ...]] = []
    for block in doc.blocks:
        match block:
            case Heading(level=level):
                out.append((f"h{level}", text_of(block)))
            case Paragraph(pos=pos):
                out.append(("p", pos.line))
            case BulletList():
                out.append(("ul", item_texts(block)))
            case OrderedList(start=start):
                out.append(("ol", start, item_texts(block)))
            case ThematicBreak():
                out.append(("hr",))
            case _:
                raise AssertionError(f"a plain-text reader made a {type(block).__name__}")
    return out


def model_words(doc: Document, title: str) -> list[str]:
    """The words of the model in reading order, the numbers of ordered items included."""
    found = words(title)
    for block in doc.blocks:
        if isinstance(block, (Heading, Paragraph)):
            found += words(text_of(block))
        elif isinstance(block, (BulletList, OrderedList)):
            for i, text in enumerate(item_texts(block)):
                found += ([str(block.start + i)] if isinstance(block, OrderedList) else []) + words(text)
    return found


def source_words(text: str) -> list[str]:
    """What a reader sees: NFC, invisible characters removed (they join nothing visible)."""
    return words(unicodedata.normalize("NFC", re.sub(f"[{INVISIBLE}]", "", text)))


def assert_positions(doc: Document, text: str) -> None:
    """Every block and list item points at the line of the file where its text starts."""
    lines = re.split(r"\r\n|\r|\n", text)

    def check(block: Block | Paragraph, first: str) -> None:
        assert block.pos.file and 1 <= block.pos.line <= len(lines)
        assert clean_line(lines[block.pos.line - 1]).endswith(first), (block.pos, first)

    for block in doc.blocks:
        if isinstance(block, (Heading, Paragraph)):
            first = block.content[0]
            assert isinstance(first, Text)
            check(block, first.text)
        elif isinstance(block, (BulletList, OrderedList)):
            assert block.pos == block.items[0].pos
            for item in block.items:
                (paragraph,) = item.blocks
                assert isinstance(paragraph, Paragraph) and paragraph.pos == item.pos
                first = paragraph.content[0]
                assert isinstance(first, Text)
                check(paragraph, first.text)


def read_fixture(name: str) -> tuple[str, Document, str]:
    path = FIXTURES / name
    text = path.read_bytes().decode("utf-8")
    reading = analyze_plaintext(text, str(path))
    return text, reading.doc, reading.title


# --- The article: the outline of the hand-made manuscript --------------------------------


def test_article_gives_the_hand_made_manuscript() -> None:
    text = ARTICLE_TXT.read_text(encoding="utf-8")
    reading = analyze_plaintext(text, str(ARTICLE_TXT))
    hand_made = read_markdown(ARTICLE_MD.read_text(encoding="utf-8"), str(ARTICLE_MD))
    doc = reading.doc

    headings = [(b.level, text_of(b)) for b in doc.blocks if isinstance(b, Heading)]
    assert headings == [(b.level, text_of(b)) for b in hand_made.blocks if isinstance(b, Heading)]
    assert [t for level, t in headings if level == 2] == [
        "1. Le dilemme silencieux des ingénieurs en évolution",
        "2. Ce que signifie vraiment “prendre de la hauteur”",
        "3. Ce que tu ne perds pas (mais que tu réorientes)",
        "4. Comment garder un ancrage technique tout en évoluant",
    ]
    subheadings = [t for level, t in headings if level == 3]
    outline = article_outline()
    assert len(subheadings) == outline.subheadings
    assert [t[:2] for t in subheadings if t[0].isdigit()] == ["1.", "2.", "3.", "4."]
    lists = [b for b in doc.blocks if isinstance(b, (BulletList, OrderedList))]
    assert all(isinstance(b, BulletList) for b in lists), "a numbered title was read as a list"
    assert sum(len(b.items) for b in lists) == outline.items
    paragraphs = [b for b in doc.blocks if isinstance(b, Paragraph)]
    assert len(paragraphs) == len(text.split("\n")) - len(headings) - outline.items
    assert [type(b).__name__ for b in doc.blocks] == [type(b).__name__ for b in hand_made.blocks]
    # The whole model, not just its outline: the same blocks, text and identifiers.
    assert without_pos(doc.blocks) == without_pos(hand_made.blocks)

    assert reading.title == ""  # the first line is a sentence: no title is invented
    assert doc.meta.lang == "fr"
    assert model_words(doc, reading.title) == words(text)
    assert_positions(doc, text)


def test_article_explanations() -> None:
    reading = analyze_plaintext(ARTICLE_TXT.read_text(encoding="utf-8"), str(ARTICLE_TXT))
    said = {e.line: str(e) for e in reading.explanations}
    assert len(said) == len(reading.explanations) == article_outline().source_lines  # one per line, none blank
    assert said[1] == "line 1: paragraph — ends with '.'"
    assert said[18] == "line 18: heading 3 — short line without final punctuation, followed by text"
    assert said[27] == "line 27: paragraph — ends with ':', introduces what follows"
    assert said[28] == "line 28: bullet item — '-' marker"
    assert said[32] == 'line 32: heading 2 — numbered "1." in sequence'
    assert said[63] == 'line 63: heading 2 — numbered "2." in sequence, after part 1'
    assert said[139] == 'line 139: heading 3 — numbered "1." restarts the numbering inside part 4'
    assert said[150] == 'line 150: heading 3 — numbered "2." continues the numbering inside part 4'


# --- Articles of other shapes ------------------------------------------------------------

FIXTURE_OUTLINES: dict[str, tuple[str, list[tuple[Any, ...]]]] = {
    "blank-lines.txt": (
        "Le jardin en hiver",
        [
            ("p", 3),
            ("p", 8),
            ("h2", "Protéger les racines"),
            ("p", 13),
            ("ul", ["des feuilles mortes broyées ;", "de la paille ;", "du bois raméal fragmenté."]),
            ("p", 20),
            ("h2", "Tailler au bon moment"),
            ("p", 25),
            ("p", 30),  # "Et maintenant ?" ends with punctuation: not a heading
            ("p", 32),
        ],
    ),
    "crlf-bom.txt": (
        "Notes de lecture",
        [
            ("p", 3),
            ("h2", "Ce qu’il faut retenir"),
            ("ul", ["La mémoire est un muscle", "On oublie pour mieux se souvenir"]),
            ("p", 10),
        ],
    ),
    "english.txt": (
        "Writing Every Day",
        [
            ("p", 2),
            ("p", 3),
            ("h2", "1. Start small"),
            ("p", 5),
            ("p", 6),
            ("ul", ["early in the morning, before email;", "at lunch, away from your desk;",
                    "late at night, when the house is quiet."]),
            ("h2", "2. Keep a log"),
            ("p", 11),
            ("ol", 1, ["the date", "the number of minutes", "one sentence about what you wrote"]),
            ("p", 15),
            ("h2", "3. Protect the habit"),
            ("p", 17),
            ("h3", "When a day goes wrong"),
            ("p", 19),
            ("p", 20),
        ],
    ),
    "no-parts.txt": (
        "",
        [
            ("p", 1),
            ("p", 2),
            ("h2", "Un moment fixe"),
            ("p", 4),
            ("p", 5),
            ("h2", "Un lieu à toi"),
            ("p", 7),
            ("p", 8),
            ("ul", ["un carnet", "un stylo qui marche", "une tasse"]),
            ("p", 12),
            ("p", 13),
            ("p", 14),
        ],
    ),
    "numbered-items.txt": (
        "Préparer une conférence",
        [
            ("p", 3),
            ("ol", 1, ["Écris le message en une phrase.", "Fais le plan en trois parties.",
                       "Prépare une seule diapositive par idée."]),
            ("p", 9),
            ("ol", 1, ["Parle au fond de la salle", "Finis à l’heure"]),
            ("p", 14),
            ("h2", "Cinq erreurs fréquentes"),
            ("ol", 1, ["Lire ses notes."]),
            ("p", 20),
            ("ol", 2, ["Trop de texte sur les diapositives."]),
            ("p", 24),
            ("p", 26),
        ],
    ),
    "decimal.txt": (
        "Rapport d’étape",
        [
            ("h2", "1. Contexte"),
            ("p", 3),
            ("h3", "1.1 Les équipes"),
            ("p", 5),
            ("h3", "1.2 Le calendrier"),
            ("p", 7),
            ("h2", "2. Résultats"),
            ("p", 9),
            ("h3", "2.1 Performances"),
            ("p", 11),  # "1.5 seconde" inside a sentence is not a number to read
            ("h2", "3. Suite"),
            ("p", 13),
        ],
    ),
    "lost-bullets.txt": (
        "Bien choisir son vélo",
        [
            ("p", 2),
            ("ul", ["Quelle distance vais-je parcourir chaque jour", "Sur quel terrain", "Avec quel budget"]),
            ("p", 6),
            ("h2", "Le cadre"),
            ("p", 8),
        ],
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(FIXTURE_OUTLINES))
def test_articles_of_other_shapes(name: str) -> None:
    text, doc, title = read_fixture(name)
    expected_title, expected_outline = FIXTURE_OUTLINES[name]
    assert title == expected_title
    assert doc.meta.title == (expected_title or Path(name).stem)
    assert outline(doc) == expected_outline
    assert model_words(doc, title) == source_words(text)
    assert_positions(doc, text)
    assert doc.meta.lang == ("en" if name == "english.txt" else "fr")


def test_fixtures_cover_every_file() -> None:
    assert sorted(p.name for p in FIXTURES.glob("*.txt")) == sorted(FIXTURE_OUTLINES)


def test_blank_line_paragraphs_join_their_wrapped_lines() -> None:
    text, doc, _ = read_fixture("blank-lines.txt")
    first = doc.blocks[0]
    assert isinstance(first, Paragraph)
    assert first.content[1::2] == (SoftBreak(),) * 3
    assert [t.text for t in first.content[::2] if isinstance(t, Text)] == text.split("\n")[2:6]
    # A sentence that ends at the wrap is still inside its paragraph.
    (tailler,) = [b for b in doc.blocks if isinstance(b, Paragraph) and b.pos.line == 25]
    assert tailler.content[0] == Text("Les arbres fruitiers se taillent hors gel, de préférence en fin d’hiver.")
    assert tailler.content[1::2] == (SoftBreak(),) * 3


def test_crlf_bom_tabs_invisibles_are_cleaned_without_changing_a_word() -> None:
    data = (FIXTURES / "crlf-bom.txt").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data and b"\t" in data  # the fixture is what it says
    assert "\u200b".encode() in data and "\u00ad".encode() in data and "e\u0301".encode() in data
    _, doc, _ = read_fixture("crlf-bom.txt")
    first, *_, last = doc.blocks
    assert isinstance(first, Paragraph) and isinstance(last, Paragraph)
    assert text_of(first) == "Ce livre se lit d’une traite. Il parle du temps qui passe et de la mémoire."
    assert text_of(last) == "Une lecture à conseiller, sans réserve\u00a0!"  # a no-break space is kept


# --- Clean-up ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  mot \t  à\tmot   ", "mot à mot"),
        ("trai\u00adte\u200b, \ufeffsans\u2060 faute", "traite, sans faute"),
        ("me\u0301moire", "mémoire"),
        ("oui \u00a0 !", "oui\u00a0!"),
        ("« \u202fnon\u202f »", "«\u202fnon\u202f»"),
        ("a\x0cb\x01c\u2028d", "a b c d"),
    ],
)
def test_clean_line(raw: str, clean: str) -> None:
    assert clean_line(raw) == clean


def test_line_endings_keep_the_file_line_numbers() -> None:
    for newline in ("\n", "\r\n", "\r"):
        text = newline.join(["Titre", "", "Un paragraphe.", "", "Une section", "Du texte."]) + newline
        reading = analyze_plaintext(text, "t.txt")
        assert reading.title == "Titre"
        assert [(type(b).__name__, b.pos.line) for b in reading.doc.blocks] == [
            ("Paragraph", 3),
            ("Heading", 5),
            ("Paragraph", 6),
        ]


# --- Heuristics, one by one --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Un titre\nDu texte.\n", "Un titre"),
        ("Une phrase entière.\nDu texte.\n", ""),
        ("Pourquoi écrire ?\nDu texte.\n", ""),
        ("Un titre seul\n", ""),  # nothing follows it
        ("Introduction\nDu texte.\n", ""),  # the name of a section, not of a book
        ("Chapitre 1\nDu texte.\nChapitre 2\nDu texte.\n", ""),  # the first of a series
        ("1. Le début\nDu texte.\n", ""),
        ("Le Titre\n========\n\nDu texte.\n", "Le Titre"),
    ],
)
def test_the_first_line_is_a_title_only_when_it_looks_like_one(text: str, title: str) -> None:
    reading = analyze_plaintext(text, "essai.txt")
    assert reading.title == title
    assert reading.doc.meta.title == (title or "essai")
    assert title not in [text_of(b) for b in reading.doc.blocks if isinstance(b, (Heading, Paragraph))]


def test_a_line_ending_with_a_colon_introduces_a_list_and_is_a_paragraph() -> None:
    doc = read_plaintext("Texte.\nLes outils :\n- un marteau\n- une scie\nFin.\n")
    assert outline(doc) == [("p", 1), ("p", 2), ("ul", ["un marteau", "une scie"]), ("p", 5)]


def test_numbering_restarting_inside_a_part_gives_sub_sections() -> None:
    parts = "1. Un\nTexte.\n2. Deux\nTexte.\n1. Deux-un\nTexte.\n2. Deux-deux\nTexte.\n3. Trois\nTexte.\n"
    assert [o for o in outline(read_plaintext(parts + "1. Trois-un\nTexte.\n")) if o[0] != "p"] == [
        ("h2", "1. Un"),
        ("h2", "2. Deux"),
        ("h3", "1. Deux-un"),
        ("h3", "2. Deux-deux"),
        ("h2", "3. Trois"),  # continues both numberings: a part, since a restart follows
        ("h3", "1. Trois-un"),
    ]
    assert outline(read_plaintext(parts))[-2] == ("h2", "3. Trois")  # nothing follows: a part too
    # "2." after part 1's sub-section 1 continues both; the "2." that comes next must be the part.
    subs = "1. Un\nTexte.\n1. Un-un\nTexte.\n2. Un-deux\nTexte.\n2. Deux\nTexte.\n"
    assert [o[0] for o in outline(read_plaintext(subs)) if o[0] != "p"] == ["h2", "h3", "h3", "h2"]


def test_numbered_lines_in_a_run_or_with_punctuation_are_list_items() -> None:
    doc = read_plaintext("Trois verbes :\n1. Lire\n2. Écrire\n3. Compter\nEnsuite.\n4. Recommencer.\nFin.\n")
    assert outline(doc) == [("p", 1), ("ol", 1, ["Lire", "Écrire", "Compter"]), ("p", 5),
                            ("ol", 4, ["Recommencer."]), ("p", 7)]  # fmt: skip


def test_short_lines_that_introduce_nothing_are_paragraphs() -> None:
    doc = read_plaintext("Du texte.\nJean Dupont\nParis\nDu texte.\nÀ bientôt\n")
    # "Jean Dupont" is followed by another short line, "À bientôt" by nothing.
    assert outline(doc) == [("p", 1), ("p", 2), ("h2", "Paris"), ("p", 4), ("p", 5)]


def test_rules_and_underlined_headings() -> None:
    doc = read_plaintext("Titre\n=====\n\nDu texte.\n\n* * *\n\nUne partie\n----------\n\nDu texte.\n")
    assert outline(doc) == [("p", 4), ("hr",), ("h2", "Une partie"), ("p", 11)]


def test_a_line_break_made_inside_a_blank_line_paragraph_is_kept() -> None:
    doc = read_plaintext("Un vers.\nUn autre vers.\n\nPlus loin.\n")
    first = doc.blocks[0]
    assert isinstance(first, Paragraph)
    assert first.content == (Text("Un vers."), HardBreak(), Text("Un autre vers."))


def test_language_is_guessed_or_given() -> None:
    english = (FIXTURES / "english.txt").read_text(encoding="utf-8")
    assert guess_language(english)[0] == "en"
    assert guess_language(ARTICLE_TXT.read_text(encoding="utf-8"))[0] == "fr"
    lang, reason = guess_language("Bonjour")
    assert lang == "fr" and "too few" in reason
    assert read_plaintext(english, lang="en-GB").meta.lang == "en-GB"
    with pytest.raises(FleuronError) as error:
        read_plaintext(english, "e.txt", lang="anglais!")
    assert str(error.value) == "e.txt: 'anglais!' is not a language tag; give one like 'fr' or 'en-GB'"


# --- Properties --------------------------------------------------------------------------

PLAIN_BITS = st.sampled_from(
    ["mot", "Titre", "Ça", "é", "e\u0301", "42", " ", "  ", "\t", "\u00a0", "\u202f", "\u200b", "\u00ad",
     "\ufeff", ".", ",", ":", " :", "?", "!", "…", "\n", "\n", "\r\n", "\r", "\n\n", "- ", "* ", "• ",
     "1. ", "2. ", "3) ", "1.2 ", "01. ", "# ", "> ", "---", "===", "* * *", "_", "`", "[", "]", "<",
     "&amp;", "|", "\\", "^", "“", "»", "\x01", "\x0c", "    "]
)  # fmt: skip
PLAIN_TEXTS = st.lists(PLAIN_BITS, max_size=60).map("".join)


@settings(max_examples=300, deadline=None)
@given(PLAIN_TEXTS)
def test_cleaning_never_loses_or_changes_a_word(text: str) -> None:
    assert words(clean_text(text)) == source_words(text)


@settings(max_examples=300, deadline=None)
@given(PLAIN_TEXTS)
def test_reading_keeps_every_word_in_order_and_gives_well_formed_xhtml(text: str) -> None:
    reading = analyze_plaintext(text, "g.txt")
    assert model_words(reading.doc, reading.title) == source_words(text)
    etree.fromstring(f'<div xmlns="{XHTML_NS}">{fleuron.to_xhtml(reading.doc)}</div>')
    assert {e.line for e in reading.explanations} == {
        n for n, line in enumerate(clean_text(text).split("\n"), 1) if line
    }


@settings(max_examples=300, deadline=None)
@given(PLAIN_TEXTS)
def test_markdown_of_the_text_reads_back_as_the_same_model(text: str) -> None:
    reading = analyze_plaintext(text, "g.txt")
    assert without_pos(read_markdown(to_markdown(reading.doc)).blocks) == without_pos(reading.doc.blocks)
    back = read_markdown(imported_markdown(reading, "g.txt"), "g.md")
    assert without_pos(back.blocks) == without_pos(reading.doc.blocks)
    assert back.meta.title == (reading.title or "g") and back.meta.lang == reading.doc.meta.lang


@pytest.mark.parametrize("title", ['Le "titre" : # 1', "L’été\\hiver", "Oui - non", "Yes: no", "'Quoted'"])
def test_imported_front_matter_keeps_any_title(title: str) -> None:
    reading = analyze_plaintext(f"{title}\nDu texte.\n", "t.txt")
    assert reading.title == title
    assert read_markdown(imported_markdown(reading, "t.txt")).meta.title == title


# --- The command -------------------------------------------------------------------------


@pytest.fixture
def article(tmp_path: Path) -> Path:
    return Path(shutil.copy(ARTICLE_TXT, tmp_path / "article.txt"))


def test_import_writes_the_markdown_beside_the_text(article: Path) -> None:
    result = run("import", "article.txt", cwd=article.parent)
    assert result.returncode == 0, result.stderr
    written = article.with_suffix(".md")
    assert result.stdout.strip() == "article.md"
    assert "no title line found" in result.stderr
    markdown = written.read_text(encoding="utf-8")
    front, body = markdown.split("\n---\n", 1)
    assert 'title: ""  # TODO' in front and "\nlang: fr  # guessed" in front
    assert body == ARTICLE_MD.read_text(encoding="utf-8").split("\n---\n", 1)[1]
    doc = read_markdown(markdown, str(written))
    assert doc.meta.title == "article" and doc.meta.lang == "fr"


def test_import_refuses_to_overwrite_without_force(article: Path) -> None:
    target = article.with_suffix(".md")
    target.write_text("mon travail\n", encoding="utf-8")
    result = run("import", "article.txt", cwd=article.parent)
    assert result.returncode == 1
    assert "fleuron: error: article.md: already exists; give another name with -o, or --force" in result.stderr
    assert target.read_text(encoding="utf-8") == "mon travail\n"
    assert run("import", "article.txt", "--force", cwd=article.parent).returncode == 0
    assert target.read_text(encoding="utf-8").startswith("---\n")
    same = run("import", "article.txt", "-o", "article.txt", cwd=article.parent)
    assert same.returncode == 1 and "would replace the text being imported" in same.stderr


def test_import_output_lang_and_explain(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "english.txt", tmp_path / "guide.txt")
    result = run("import", "guide.txt", "-o", "out/guide.md", "--lang", "en-US", "--explain", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == str(Path("out/guide.md"))
    assert "line 1: title — first line, short, no final punctuation, followed by text" in lines
    assert 'line 4: heading 2 — numbered "1." in sequence' in lines
    assert 'line 12: numbered item — numbered "1." in a run of numbered lines' in lines
    assert "line 18: heading 3 — short line without final punctuation, followed by text" in lines
    assert "lang: en-US — given" in lines
    front = (tmp_path / "out" / "guide.md").read_text(encoding="utf-8").split("\n---\n")[0]
    assert 'title: "Writing Every Day"' in front and "lang: en-US  # given with --lang" in front
    assert result.stderr == ""


def test_build_straight_from_text(tmp_path: Path, article: Path) -> None:
    shutil.copy(ARTICLE_MD, tmp_path / "hand-made.md")
    for source in ("article.txt", "hand-made.md"):
        result = run("build", source, "--format", "html", "-o", "out", cwd=tmp_path)
        assert result.returncode == 0, result.stderr

    def headings(name: str) -> list[tuple[str, str | None]]:
        tree = html.parse(str(tmp_path / "out" / name))
        return [(h.tag, h.get("id")) for h in tree.iter("h2", "h3") if h.get("id", "").find("toc") < 0]

    from_text = headings("article.html")
    assert len(from_text) == article_outline().headings
    assert from_text == headings("du-technicien-au-leader.html")


def test_a_folder_with_only_a_text_manuscript_builds(tmp_path: Path) -> None:
    (tmp_path / "manuscript").mkdir()
    shutil.copy(FIXTURES / "no-parts.txt", tmp_path / "manuscript" / "ecrire.txt")
    result = run("ast", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert '"title": "ecrire"' in result.stdout


@pytest.mark.parametrize("command", ["import", "build"])
@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n\0\0\0IHDR", "texte.txt: this is a binary file, not a text manuscript"),
        (b"Bonjour\n\xe9t\xe9\n", "texte.txt:2: not UTF-8 text (byte 8 is 0xe9); save the file as UTF-8"),
        (b"\xef\xbb\xbfUn\r\nDeux\r\ntrois \x80\r\n", "texte.txt:3: not UTF-8 text (byte 19 is 0x80)"),
        ("Bonjour\n".encode("utf-16"), "texte.txt: this is UTF-16 text, not UTF-8; save the file as UTF-8"),
    ],
    ids=["binary", "latin-1", "bom-crlf", "utf-16"],
)
def test_unreadable_text_names_the_file_and_the_byte(
    tmp_path: Path, command: str, content: bytes, expected: str
) -> None:
    (tmp_path / "texte.txt").write_bytes(content)
    result = run(command, "texte.txt", cwd=tmp_path)
    assert result.returncode == 1
    assert f"fleuron: error: {expected}" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["texte.txt"]  # nothing written


def test_import_help() -> None:
    result = run("import", "--help")
    assert result.returncode == 0 and "usage: fleuron import" in result.stdout
    assert all(option in result.stdout for option in ("--output", "--lang", "--explain", "--force"))


def test_import_of_a_missing_file_or_a_folder(tmp_path: Path) -> None:
    missing = run("import", "absent.txt", cwd=tmp_path)
    assert missing.returncode == 1 and "fleuron: error: absent.txt: cannot read the file" in missing.stderr
    folder = run("import", ".", cwd=tmp_path)
    assert folder.returncode == 1 and "this is a folder" in folder.stderr
