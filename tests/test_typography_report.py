"""The proofreader's report (`fleuron check`) and the build run the same driver: what the report
says the text becomes is what the build writes, whatever the options."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

import fleuron as api
from fleuron.model import Paragraph, Text, TypographyOptions
from fleuron.typography.fr import RULES, typographize_text
from fleuron.typography.report import corrections, trace

NB, NN = "\u00a0", "\u202f"


def test_the_report_shows_what_compat_writes() -> None:
    doc = api.parse("---\ntitle: T\nlang: fr\ntypography:\n  compat: true\n---\nBonjour ; toi\n")
    (para,) = api.typographize(doc).blocks
    assert isinstance(para, Paragraph) and para.content == (Text(f"Bonjour{NB}; toi"),)
    (found,) = corrections(doc)
    assert (found.rule, found.before, found.after) == ("R8", "Bonjour ;", f"Bonjour{NB};")


def test_a_narrow_space_typed_by_the_author_is_reported_under_compat() -> None:
    doc = api.parse(f"---\ntitle: T\nlang: fr\ntypography:\n  compat: true\n---\nBonjour{NN}; toi\n")
    (found,) = corrections(doc)
    assert (found.rule, found.before, found.after) == ("compat", f"Bonjour{NN};", f"Bonjour{NB};")


WORDS = st.sampled_from(["mot", "Paris", "l", "12", "10000", "3,14", "M.", "p.", "km", "h", "%", "Oui", "x@y.fr"])
MARKS = st.sampled_from(
    [" ", "  ", "\t", NB, NN, ".", ",", ";", ":", "!", "?", "...", "'", '"', "“", "”", "«", "»", "‹", "›",
     "-", "--", "---", "–", "—", "(", ")", ":)", "`a ; b`", "http://x.fr/a--b"]
)  # fmt: skip
PROSE = st.lists(st.one_of(WORDS, MARKS), max_size=30).map("".join)
OPTIONS = st.builds(
    TypographyOptions,
    compat=st.booleans(),
    locale=st.sampled_from(["fr-FR", "fr-CA", "fr-CH"]),
    insert_missing=st.booleans(),
    colon_space=st.sampled_from(["nbsp", "nnbsp"]),
    guillemet_space=st.sampled_from(["nnbsp", "nbsp"]),
    disabled=st.lists(st.sampled_from([rule.code for rule in RULES]), unique=True).map(tuple),
)


@settings(max_examples=1500, deadline=None)
@given(PROSE, OPTIONS)
@example('”"\u202f', TypographyOptions(compat=True, insert_missing=True))  # compat on a space R9 added at the end
def test_the_reports_final_text_is_the_builds(text: str, options: TypographyOptions) -> None:
    changes, final, origin = trace(text, options)
    assert final == typographize_text(text, options)
    assert len(origin) == len(final)
    assert all(0 <= change.start <= change.end <= len(text) for change in changes)
    assert changes or final == text


def test_text_already_right_under_compat_has_no_correction() -> None:
    doc = api.parse(f"---\ntitle: T\nlang: fr\ntypography:\n  compat: true\n---\nmot{NB}; «{NB}oui{NB}»\n")
    assert corrections(doc) == []
