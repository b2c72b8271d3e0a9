"""Messages in the user's language: French when the locale says French, English otherwise.

`_("unknown key '{key}'", key=k)` looks the English template up in the French catalogue when
the locale (LC_ALL, LC_MESSAGES, LANG, in POSIX order) is French, and fills it in.
"""

from __future__ import annotations

import os


def french() -> bool:
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value:
            return value.lower().startswith("fr")
    return False


def _(template: str, **values: object) -> str:
    text = FRENCH.get(template, template) if french() else template
    return text.format(**values) if values else text


# French typography in French messages: a no-break space before `:` and narrow ones before `; ! ?`.
FRENCH = {
    # The command line
    "error": "erreur",
    "warning": "avertissement",
    "interrupted; the previous outputs are untouched": "interrompu ; les fichiers déjà produits sont intacts",
    "internal error: {kind}: {detail}": "erreur interne\u00a0: {kind}\u00a0: {detail}",
    "Please report it with the manuscript that caused it.": "Merci de la signaler avec le manuscrit qui l’a causée.",
    "not UTF-8 text (byte {offset}); give UTF-8 text": "ce texte n’est pas en UTF-8 (octet {offset})\u202f; donnez du texte UTF-8",  # noqa: E501
    # Finding and reading manuscripts
    "no such file; give the path of a Markdown manuscript": (
        "fichier introuvable\u202f; donnez le chemin d’un manuscrit Markdown"
    ),
    "no manuscript given and no 'manuscript/' folder here; give a file to build": (
        "aucun manuscrit donné et pas de dossier «\u202fmanuscript/\u202f» ici\u202f; donnez un fichier à construire"
    ),
    "no Markdown manuscript in this folder; name the one to build": (
        "aucun manuscrit Markdown dans ce dossier\u202f; nommez celui à construire"
    ),
    "{count} manuscripts ({names}) in this folder; name the one to build": (
        "{count} manuscrits ({names}) dans ce dossier\u202f; nommez celui à construire"
    ),
    "cannot read the file: {reason}": "impossible de lire le fichier\u00a0: {reason}",
    "this is {encoding} text, not UTF-8; save the file as UTF-8": (
        "ce texte est en {encoding}, pas en UTF-8\u202f; enregistrez le fichier en UTF-8"
    ),
    "this is a binary file, not a text manuscript": "c’est un fichier binaire, pas un manuscrit texte",
    "not UTF-8 text (byte {offset} is 0x{value}); save the file as UTF-8": (
        "ce texte n’est pas en UTF-8 (l’octet {offset} vaut 0x{value})\u202f; enregistrez le fichier en UTF-8"
    ),
    "the manuscript is empty; write its text, then build again": (
        "le manuscrit est vide\u202f; écrivez-en le texte, puis relancez la construction"
    ),
    "unknown format '{name}'; choose among {choices}": "format inconnu «\u202f{name}\u202f»\u202f; choisissez parmi {choices}",  # noqa: E501
    # Front matter
    "the YAML front matter does not parse: {reason}": "l’en-tête YAML est illisible\u00a0: {reason}",
    "the front matter that opens the file is not closed: end it with a line '---'": (
        "l’en-tête qui ouvre le fichier n’est pas fermé\u202f: terminez-le par une ligne «\u202f---\u202f»"
    ),
    "the front matter must be a YAML mapping of 'key: value' lines": (
        "l’en-tête doit être fait de lignes «\u202fclé\u00a0: valeur\u202f»"
    ),
    "unknown front matter key '{key}'": "clé d’en-tête inconnue «\u202f{key}\u202f»",
    " (did you mean '{key}'?)": " (vouliez-vous dire «\u202f{key}\u202f»\u202f?)",
    "; known keys: {keys}": "\u202f; clés connues\u00a0: {keys}",
    "'{key}' must be a single text value": "«\u202f{key}\u202f» doit être un seul texte",
    "'{key}' must be a text or a list of texts": "«\u202f{key}\u202f» doit être un texte ou une liste de textes",
    "'{key}' is true or false": "«\u202f{key}\u202f» vaut true ou false",
    "'date: {value}' is not a date; write it as YYYY-MM-DD": (
        "«\u202fdate\u00a0: {value}\u202f» n’est pas une date\u202f; écrivez-la AAAA-MM-JJ"
    ),
    "'lang: {value}' is not a language tag; write one like 'fr' or 'fr-CA'": (
        "«\u202flang\u00a0: {value}\u202f» n’est pas un code de langue\u202f; écrivez par exemple «\u202ffr\u202f» ou «\u202ffr-CA\u202f»"  # noqa: E501
    ),
    "{what} is outside the project{target}: Fleuron reads only the manuscript's folder, its styles and the book's fonts; copy the file into the manuscript's folder": (  # noqa: E501
        "{what} est hors du projet{target}\u202f: Fleuron ne lit que le dossier du manuscrit, ses styles et les "
        "polices du livre\u202f; copiez le fichier dans le dossier du manuscrit"
    ),
    "image '{source}' is not a local file, and Fleuron fetches nothing unless the front matter says 'allow_remote: true': save it beside the manuscript and link it by its path": (  # noqa: E501
        "l’image «\u202f{source}\u202f» n’est pas un fichier local, et Fleuron ne télécharge rien sans "
        "«\u202fallow_remote\u00a0: true\u202f» dans l’en-tête\u202f: enregistrez-la à côté du manuscrit et "
        "indiquez son chemin"
    ),
    "image '{source}' not found (looked for {path})": "image «\u202f{source}\u202f» introuvable (cherchée en {path})",
    "image '{source}' is not of a type ebooks accept ({kinds})": (
        "l’image «\u202f{source}\u202f» n’est pas d’un type accepté par les livres numériques ({kinds})"
    ),
    "this heading has no text; give it one": "ce titre est vide\u202f; donnez-lui un texte",
    "the link to '{target}' names no heading of the book": (
        "le lien vers «\u202f{target}\u202f» ne mène à aucun titre du livre"
    ),
    "the link to '{target}' points to a file, which an ebook cannot hold; link to a heading ('#…') or to a full address (https://…)": (  # noqa: E501
        "le lien vers «\u202f{target}\u202f» mène à un fichier, qu’un livre numérique ne peut contenir\u202f; "
        "liez un titre («\u202f#…\u202f») ou une adresse complète (https://…)"
    ),
    # The document check (checks.py)
    "the link to '{target}' is not a valid address": "le lien vers «\u202f{target}\u202f» n’est pas une adresse valide",
    "this heading's anchor '{anchor}' is already the one of the heading at {where}; give each heading its own": (
        "l’ancre «\u202f{anchor}\u202f» de ce titre est déjà celle du titre en {where}\u202f; "
        "donnez à chaque titre la sienne"
    ),
    "the note '[^{label}]' is already defined at {where}; give each note its own label": (
        "la note «\u202f[^{label}]\u202f» est déjà définie en {where}\u202f; donnez à chaque note son propre nom"
    ),
    "line {line}": "ligne {line}",
    "image '{source}' is a {found} image under a name that says {expected}; rename it to end in {suffix}": (
        "l’image «\u202f{source}\u202f» est une image {found} sous un nom qui dit {expected}\u202f; "
        "renommez-la en {suffix}"
    ),
    "image '{source}' is {size} pixels, more than the {limit} million Fleuron accepts; scale it down": (
        "l’image «\u202f{source}\u202f» fait {size}\u00a0pixels, plus que les {limit}\u00a0millions "
        "qu’accepte Fleuron\u202f; réduisez-la"
    ),
    "image '{source}' has more than {limit} million pixels, the most Fleuron accepts; scale it down": (
        "l’image «\u202f{source}\u202f» a plus de {limit}\u00a0millions de pixels, le plus qu’accepte "
        "Fleuron\u202f; réduisez-la"
    ),
    "image '{source}' is not a {kind} image (nor any image Fleuron reads); export it again as {kind}": (
        "l’image «\u202f{source}\u202f» n’est pas une image {kind} (ni aucune image que Fleuron lit)\u202f; "
        "exportez-la de nouveau en {kind}"
    ),
    "image '{source}' is damaged ({reason}); export it again from an image editor": (
        "l’image «\u202f{source}\u202f» est endommagée ({reason})\u202f; exportez-la de nouveau depuis un "
        "logiciel d’images"
    ),
    # fleuron.toml
    "the configuration does not parse: {reason}": "la configuration est illisible\u00a0: {reason}",
    "unknown section '[{key}]'": "section inconnue «\u202f[{key}]\u202f»",
    "unknown key '{key}' in [{section}]": "clé inconnue «\u202f{key}\u202f» dans [{section}]",
    "'{key}' must be a [section]": "«\u202f{key}\u202f» doit être une [section]",
    "'{key}' has the wrong type": "«\u202f{key}\u202f» n’a pas le bon type",
    "source '{name}' not found": "source «\u202f{name}\u202f» introuvable",
    "this folder is not empty; give a new folder's name": "ce dossier n’est pas vide\u202f; donnez le nom d’un nouveau dossier",  # noqa: E501
    # Reports: the typographic rules' names
    "whitespace": "espaces",
    "ellipsis": "points de suspension",
    "dashes": "tirets",
    "double quotes": "guillemets",
    "apostrophes": "apostrophes",
    "no space before comma or period": "pas d’espace avant virgule ou point",
    "high punctuation": "ponctuation haute",
    "guillemet spacing": "espaces des guillemets",
    "thousands": "milliers",
    "units": "unités",
    "abbreviations": "abréviations",
    "dash spacing": "espaces des tirets",
    # Reports
    "{count} correction": "{count} correction",
    "{count} corrections": "{count} corrections",
    "built {count} file(s) in {seconds:.1f} s": "{count} fichier(s) construit(s) en {seconds:.1f}\u202fs",
    "up to date, nothing rebuilt": "à jour, rien à reconstruire",
    "{pages} pages": "{pages}\u202fpages",
    "unchanged": "inchangé",
    "reading": "lecture",
    "typography": "typographie",
    "book layout": "mise en pages du livre",
    "handout": "polycopié",
    "writing": "écriture",
}
