"""French typography: the rule book's vectors, cases of our own written to the same rules,
and properties that must hold for any text."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from fleuron.model import TypographyOptions
from fleuron.typography.fr import HWS, protect, typographize_text

from helpers import ROOT

VECTORS = ROOT / "tests" / "data" / "typography-vectors.json"
NB, NN = "\u00a0", "\u202f"


def vectors() -> list[dict[str, str]]:
    # The examples of docs/typography.md, with what each must become.
    return list(json.loads(VECTORS.read_text(encoding="utf-8")))


def spaces(text: str) -> str:
    return text.replace("{NB}", NB).replace("{NN}", NN)


@pytest.mark.parametrize("vector", vectors(), ids=lambda v: v["id"])
def test_vector(vector: dict[str, str]) -> None:
    assert typographize_text(vector["input"]) == vector["expected"]


@pytest.mark.parametrize("vector", vectors(), ids=lambda v: v["id"])
def test_expected_is_a_fixed_point(vector: dict[str, str]) -> None:
    assert typographize_text(vector["expected"]) == vector["expected"]


# Our own cases, each from a sentence of docs/typography.md.
CASES = [
    ("https://x.org/?q=1 !", "https://x.org/?q=1{NN}!"),  # R1: a URL is one word for its neighbours
    ("Voir (https://fr.wikipedia.org/wiki/Paris_(ville)).", "Voir (https://fr.wikipedia.org/wiki/Paris_(ville))."),
    ("Écrivez à jean@x.fr : merci", "Écrivez à jean@x.fr{NB}: merci"),
    ("`code ; ici` et www.exemple.fr ?", "`code ; ici` et www.exemple.fr{NN}?"),
    ("Ah :-( et ;) et :D et :p et :/ fin", "Ah :-( et ;) et :D et :p et :/ fin"),
    ('Un <img alt="a : b"> et </b> <!-- "x" --> !', 'Un <img alt="a : b"> et </b> <!-- "x" -->{NN}!'),
    ("Tab\tici   et  là", "Tab ici et là"),  # R2
    ("Coupé [...] puis ....", "Coupé […] puis …"),  # R3
    ("Deux .. points et . . . espacés", "Deux .. points et . . . espacés"),
    ("De 1914--1918, mot--mot et ----", "De 1914–1918, mot--mot et ----"),  # R4
    ("--- Bonjour.", "—{NB}Bonjour."),
    ("Un tiret - seul, puis -, encore", "Un tiret –{NB}seul, puis{NB}–, encore"),
    ("mot—mot, 5–10 et 5 – 10", "mot—mot, 5–10 et 5 – 10"),
    ('Un a " b ambigu', 'Un a " b ambigu'),  # R5
    ('Un écran de 27" et 2"44\'', 'Un écran de 27" et 2"44\''),
    ('Il dit : "Elle a crié "au feu" et s\'est tue."', "Il dit{NB}: «{NN}Elle a crié “au feu” et s’est tue.{NN}»"),
    ("Bonjour , toi .", "Bonjour, toi."),  # R7
    ("Quoi (!) et (?)", "Quoi (!) et (?)"),  # R8
    ("C:\\Windows et 10:55", "C:\\Windows et 10:55"),
    ("Yahoo!", "Yahoo{NN}!"),
    ("Vraiment ?!? Oui.", "Vraiment{NN}?!? Oui."),
    ("« Oui ! »", "«{NN}Oui{NN}!{NN}»"),  # R9
    ("« » et << >>", "« » et << >>"),
    ("‹ oui ›", "‹{NN}oui{NN}›"),
    ("10 000 et 1{NB}000{NB}000", "10{NN}000 et 1{NN}000{NN}000"),  # R10
    ("En 2024, appelez le 0612345678, n° 12345.", "En 2024, appelez le 0612345678, n°{NB}12345."),
    ("12000 Français", "12000 Français"),
    ("3 pommes et 2 000 ans", "3 pommes et 2{NN}000 ans"),
    ("À 9h45, il fait 20°C et l'angle est de 45°.", "À 9h45, il fait 20°C et l’angle est de 45°."),  # R11
    ("Il court 100 m/s, 3 km²  et 12 kHz.", "Il court 100{NN}m/s, 3{NN}km² et 12{NN}kHz."),
    ("12,5 % mais 12.5 %", "12,5{NN}% mais 12.5 %"),
    ("Elle dit : « C'est 5 % ! »", "Elle dit{NB}: «{NN}C’est 5{NN}%{NN}!{NN}»"),
    ("Me voilà, N°5, p. 12 et pp. 3-5.", "Me voilà, N°5, p.{NB}12 et pp.{NB}3–5."),  # R12
    ("Mlle Dupont et MM. Durand", "Mlle{NB}Dupont et MM.{NB}Durand"),
    ("chap. IV, fig. 3, vol. 2", "chap.{NB}IV, fig.{NB}3, vol.{NB}2"),
    (
        "Nous reviendrons – nous y reviendrons –, des choses",
        "Nous reviendrons –{NB}nous y reviendrons{NB}–, des choses",
    ),
    ("— Bonjour, dit-il.", "—{NB}Bonjour, dit-il."),  # R13
    ("le 1er, la 2e, XIXe siècle", "le 1er, la 2e, XIXe siècle"),  # R14
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_rule_book_case(text: str, expected: str) -> None:
    assert typographize_text(spaces(text)) == spaces(expected)
    assert typographize_text(spaces(expected)) == spaces(expected)


@pytest.mark.parametrize(
    ("options", "text", "expected"),
    [
        (TypographyOptions(colon_space="nnbsp"), "Note : oui", "Note{NN}: oui"),
        (TypographyOptions(guillemet_space="nbsp"), "« oui »", "«{NB}oui{NB}»"),
        (TypographyOptions(compat=True), "« oui » ; non !", "«{NB}oui{NB}»{NB}; non{NB}!"),
        (TypographyOptions(locale="fr-CA"), "Oui ! Et : non ?", "Oui! Et{NB}: non?"),
        (TypographyOptions(locale="fr-CH"), "Et : non ?", "Et{NN}: non{NN}?"),
        (TypographyOptions(insert_missing=False), "Quoi? Non !", "Quoi? Non{NN}!"),
        (TypographyOptions(inner_quotes="‹›"), '« Il a dit "non" »', "«{NN}Il a dit ‹{NN}non{NN}›{NN}»"),
        (TypographyOptions(dialogue_hyphen=True), "- Bonjour.", "—{NB}Bonjour."),
        (TypographyOptions(disabled=("R8", "R5")), 'Quoi ? "Oui"', 'Quoi ? "Oui"'),
    ],
)
def test_options(options: TypographyOptions, text: str, expected: str) -> None:
    assert typographize_text(spaces(text), options) == spaces(expected)


# --- Properties ------------------------------------------------------------------------------

WORDS = st.sampled_from(
    ["mot", "Paris", "l", "été", "12", "10000", "3,14", "1914", "M.", "p.", "km", "h", "%", "€", "x", "Oui"]
)
MARKS = st.sampled_from(
    [" ", "  ", "\t", NB, NN, ".", ",", ";", ":", "!", "?", "...", "…", "'", '"', "“", "”", "«", "»", "‹", "›",
     "-", "--", "---", "–", "—", "(", ")", "[", "]", ":)", "/", "12:30"]
)  # fmt: skip
PROSE = st.lists(st.one_of(WORDS, MARKS), max_size=30).map("".join)
PROTECTED = st.sampled_from(
    ["`a ; b`", "``x ` y``", "https://ex.org/a--b...c?x=1&y=2", "http://x.fr/(a)", "www.site.fr/p?q=r",
     "jean.dupont@example.fr", "mailto:a@b.fr", '<a href="x" title=\'l ; "m"\'>', "<!-- a ; b -->"]
)  # fmt: skip


def alphanumerics(text: str) -> str:
    return re.sub(r"\W", "", text)


@settings(max_examples=1500, deadline=None)
@given(PROSE)
@example("« »")
@example('"a" "b"')
def test_idempotent(text: str) -> None:
    once = typographize_text(text)
    assert typographize_text(once) == once


@settings(max_examples=1000, deadline=None)
@given(PROSE)
def test_no_word_lost_or_added(text: str) -> None:
    assert alphanumerics(typographize_text(text)) == alphanumerics(text)


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.one_of(PROSE, PROTECTED.map(lambda p: f" {p} ")), max_size=6))
def test_code_urls_and_emails_untouched(parts: list[str]) -> None:
    text = "".join(parts)
    out = typographize_text(text)
    for part in parts:
        if part.strip() and part.strip() in PROTECTED_SET:
            assert part.strip() in out


PROTECTED_SET = {
    "`a ; b`", "``x ` y``", "https://ex.org/a--b...c?x=1&y=2", "http://x.fr/(a)", "www.site.fr/p?q=r",
    "jean.dupont@example.fr", "mailto:a@b.fr", '<a href="x" title=\'l ; "m"\'>', "<!-- a ; b -->",
}  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(PROSE)
def test_no_ordinary_space_before_high_punctuation_or_inside_guillemets(text: str) -> None:
    masked, _ = protect(typographize_text(text))
    body = masked.lstrip(HWS)  # a paragraph may start with a space; the rules never trim
    for match in re.finditer(r" +(?=[;:!?»›])| +(?<=[«‹] )", body):
        around = body[max(0, match.start() - 1) : match.end() + 1]
        assert re.fullmatch(r"[«‹] +[»›]", around.strip() if around else ""), f"space in {around!r} of {body!r}"
