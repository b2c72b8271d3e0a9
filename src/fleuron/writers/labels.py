"""The words the writers set themselves (the contents' title, "Notes", the cover's name, the
colophon, the accessibility summary, the long date…), in French, English, German, Spanish and
Italian: one table for every writer, so that the print and the ebook of a book agree.

`labels(lang)` takes the book's BCP-47 tag and answers by its primary language (`fr-CA` and
`fr` are both French). A language the table does not hold gets English, the one fallback.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..model import Metadata


@dataclass(frozen=True, slots=True)
class Labels:
    """One language's words. Fields holding `{…}` are templates, filled in with `.format`."""

    #: The title of the table printed at the front of the book. French calls this short table a
    #: "Sommaire", and the ebook's full navigation a "Table des matières"; other languages use
    #: one word for both.
    contents: str
    #: The title of the ebook's navigation document (its table of contents).
    toc: str
    notes: str
    #: One note (a footnote or an endnote), for its label or its number's name.
    footnote: str
    #: The link from a note back to the place in the text that calls it.
    back_to_text: str
    cover: str
    #: The cover image's alternative text: `{title}`.
    cover_alt: str
    #: The EPUB's landmarks navigation: its title, and its entry for where the text begins.
    landmarks: str
    start_of_text: str
    #: A page of the print edition, and the title of the EPUB's list of them.
    page: str
    pages: str
    print_edition: str
    index: str
    figure: str
    table: str
    list_of_figures: str
    dedication: str
    epigraph: str
    acknowledgments: str
    foreword: str
    afterword: str
    #: A scene break's accessible name (the ornament itself says nothing to a screen reader).
    scene_break: str
    #: "p." before a page number in a cross-reference ("voir p. 12").
    page_abbr: str
    #: The imprint page and the colophon; `{family}` is the typeface, `{date}` the long date.
    identifier: str
    published: str
    set_in: str
    finished: str
    #: The colon after a label, with the space French puts before it.
    colon: str
    #: The EPUB's accessibility summary, and the sentence added when the book has images.
    accessibility_summary: str
    accessibility_images: str
    #: The long date: `{day}`, `{month}` (a name of `months`) and `{year}`.
    date: str
    months: tuple[str, ...]
    #: How the first day of a month is written, where it is an ordinal (French "1er", Italian "1º").
    first_day: str = "1"

    def long_date(self, day: dt.date) -> str:
        number = self.first_day if day.day == 1 else str(day.day)
        return self.date.format(day=number, month=self.months[day.month - 1], year=day.year)


FRENCH = Labels(
    contents="Sommaire",
    toc="Table des matières",
    notes="Notes",
    footnote="Note",
    back_to_text="Retour au texte",
    cover="Couverture",
    # An ordinary space before the colon, as the EPUB has always written it.
    cover_alt="Couverture : {title}",
    landmarks="Repères",
    start_of_text="Début du texte",
    page="Page",
    pages="Pages",
    print_edition="édition imprimée",
    index="Index",
    figure="Figure",
    table="Tableau",
    list_of_figures="Table des illustrations",
    dedication="Dédicace",
    epigraph="Épigraphe",
    acknowledgments="Remerciements",
    foreword="Avant-propos",
    afterword="Postface",
    scene_break="Changement de scène",
    page_abbr="p.",
    identifier="Identifiant",
    published="Publication",
    set_in="Composé en {family}.",
    finished="Achevé de composer le {date}.",
    colon="\u00a0:",
    accessibility_summary=(
        "Livre numérique conforme à EPUB Accessibility 1.1, niveau WCAG 2.2 AA : titres hiérarchisés, "
        "table des matières, ordre de lecture logique, numéros de page de l’édition imprimée, texte "
        "que chaque lecteur peut agrandir et mettre dans sa police. Aucun risque connu (ni clignotement, "
        "ni son, ni mouvement)."
    ),
    accessibility_images=" Chaque image a un texte de remplacement.",
    date="{day}\u00a0{month} {year}",
    months=tuple("janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split()),
    first_day="1er",
)

ENGLISH = Labels(
    contents="Contents",
    toc="Contents",
    notes="Notes",
    footnote="Note",
    back_to_text="Back to the text",
    cover="Cover",
    cover_alt="Cover: {title}",
    landmarks="Landmarks",
    start_of_text="Start of the text",
    page="Page",
    pages="Pages",
    print_edition="print edition",
    index="Index",
    figure="Figure",
    table="Table",
    list_of_figures="List of Figures",
    dedication="Dedication",
    epigraph="Epigraph",
    acknowledgments="Acknowledgments",
    foreword="Foreword",
    afterword="Afterword",
    scene_break="Scene break",
    page_abbr="p.",
    identifier="Identifier",
    published="Published",
    set_in="Set in {family}.",
    finished="Typeset on {date}.",
    colon=":",
    accessibility_summary=(
        "This ebook meets EPUB Accessibility 1.1 at WCAG 2.2 level AA: structured headings, a table of "
        "contents, a logical reading order, the print edition's page numbers, and text every reader can "
        "enlarge and set in their own font. No known hazard (no flashing, sound or motion)."
    ),
    accessibility_images=" Every image has a text alternative.",
    date="{day}\u00a0{month} {year}",
    months=tuple("January February March April May June July August September October November December".split()),
)

GERMAN = Labels(
    contents="Inhalt",
    toc="Inhalt",
    notes="Anmerkungen",
    footnote="Anmerkung",
    back_to_text="Zurück zum Text",
    cover="Umschlag",
    cover_alt="Umschlag: {title}",
    landmarks="Orientierungspunkte",
    start_of_text="Textbeginn",
    page="Seite",
    pages="Seiten",
    print_edition="Druckausgabe",
    index="Register",
    figure="Abbildung",
    table="Tabelle",
    list_of_figures="Abbildungsverzeichnis",
    dedication="Widmung",
    epigraph="Motto",
    acknowledgments="Danksagung",
    foreword="Vorwort",
    afterword="Nachwort",
    scene_break="Szenenwechsel",
    page_abbr="S.",
    identifier="Kennung",
    published="Erschienen",
    set_in="Gesetzt aus der {family}.",
    finished="Gesetzt am {date}.",
    colon=":",
    accessibility_summary=(
        "Dieses E-Book erfüllt EPUB Accessibility 1.1 auf WCAG-2.2-Stufe AA: gegliederte Überschriften, "
        "ein Inhaltsverzeichnis, eine logische Lesereihenfolge, die Seitenzahlen der Druckausgabe und "
        "Text, den alle Lesenden vergrößern und in ihrer eigenen Schrift darstellen können. Keine "
        "bekannten Risiken (kein Blinken, kein Ton, keine Bewegung)."
    ),
    accessibility_images=" Jedes Bild hat einen Alternativtext.",
    date="{day}.\u00a0{month} {year}",
    months=tuple("Januar Februar März April Mai Juni Juli August September Oktober November Dezember".split()),
)

SPANISH = Labels(
    contents="Índice",
    toc="Índice",
    notes="Notas",
    footnote="Nota",
    back_to_text="Volver al texto",
    cover="Cubierta",
    cover_alt="Cubierta: {title}",
    landmarks="Puntos de referencia",
    start_of_text="Inicio del texto",
    page="Página",
    pages="Páginas",
    print_edition="edición impresa",
    index="Índice alfabético",
    figure="Figura",
    table="Tabla",
    list_of_figures="Índice de figuras",
    dedication="Dedicatoria",
    epigraph="Epígrafe",
    acknowledgments="Agradecimientos",
    foreword="Prólogo",
    afterword="Epílogo",
    scene_break="Cambio de escena",
    page_abbr="p.",
    identifier="Identificador",
    published="Publicación",
    set_in="Compuesto en {family}.",
    finished="Compuesto el {date}.",
    colon=":",
    accessibility_summary=(
        "Este libro electrónico cumple EPUB Accessibility 1.1 en el nivel AA de WCAG 2.2: encabezados "
        "jerarquizados, índice, orden de lectura lógico, números de página de la edición impresa y texto "
        "que cada lector puede ampliar y mostrar en su propia fuente. Ningún riesgo conocido (ni "
        "destellos, ni sonido, ni movimiento)."
    ),
    accessibility_images=" Cada imagen tiene un texto alternativo.",
    date="{day} de {month} de {year}",
    months=tuple("enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre".split()),
)

ITALIAN = Labels(
    contents="Indice",
    toc="Indice",
    notes="Note",
    footnote="Nota",
    back_to_text="Torna al testo",
    cover="Copertina",
    cover_alt="Copertina: {title}",
    landmarks="Punti di riferimento",
    start_of_text="Inizio del testo",
    page="Pagina",
    pages="Pagine",
    print_edition="edizione a stampa",
    index="Indice analitico",
    figure="Figura",
    table="Tabella",
    list_of_figures="Indice delle figure",
    dedication="Dedica",
    epigraph="Epigrafe",
    acknowledgments="Ringraziamenti",
    foreword="Prefazione",
    afterword="Postfazione",
    scene_break="Cambio di scena",
    page_abbr="p.",
    identifier="Identificativo",
    published="Pubblicazione",
    set_in="Composto in {family}.",
    finished="Composto il {date}.",
    colon=":",
    accessibility_summary=(
        "Questo libro digitale è conforme a EPUB Accessibility 1.1, livello AA delle WCAG 2.2: titoli "
        "gerarchici, indice, ordine di lettura logico, numeri di pagina dell’edizione a stampa, testo che "
        "ogni lettore può ingrandire e impostare nel proprio carattere. Nessun rischio noto (né "
        "lampeggiamenti, né suoni, né movimenti)."
    ),
    accessibility_images=" Ogni immagine ha un testo alternativo.",
    date="{day}\u00a0{month} {year}",
    months=tuple(
        "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre".split()
    ),
    first_day="1º",
)

#: By primary language subtag (ISO 639-1).
LANGUAGES: dict[str, Labels] = {"fr": FRENCH, "en": ENGLISH, "de": GERMAN, "es": SPANISH, "it": ITALIAN}
FALLBACK = "en"


def labels(lang: str) -> Labels:
    """The words for a BCP-47 tag, by its primary language; English for one the table lacks."""
    primary = lang.replace("_", "-").split("-", 1)[0].lower()
    return LANGUAGES.get(primary, LANGUAGES[FALLBACK])


def book_labels(meta: Metadata) -> Labels:
    """The words of this book: its language's, with the contents' title the front matter gives
    (`toc_title`, pandoc's `toc-title`) for both the printed contents and the ebook's."""
    words = labels(meta.lang)
    if not meta.toc_title:
        return words
    return dataclasses.replace(words, toc=meta.toc_title, contents=meta.toc_title)
