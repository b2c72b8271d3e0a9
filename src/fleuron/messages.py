"""Messages in the user's language: French when the locale says French, English otherwise.

`_("unknown key '{key}'", key=k)` looks the English template up in the French catalogue when
the locale (LC_ALL, LC_MESSAGES, LANG, in POSIX order) is French, and fills it in.
"""

from __future__ import annotations

import os
import string


def french() -> bool:
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value:
            return value.lower().startswith("fr")
    return False


def _(template: str, **values: object) -> str:
    if not french():
        return template.format(**values) if values else template
    text = FRENCH.get(template, template)
    return _FRENCH_NUMBERS.format(text, **values) if values else text


class _FrenchNumbers(string.Formatter):
    """Fills a French template: a number with decimals takes a decimal comma (`2,9\u00a0s`)."""

    def format_field(self, value: object, format_spec: str) -> str:
        text: str = super().format_field(value, format_spec)
        return text.replace(".", ",") if isinstance(value, float) else text


_FRENCH_NUMBERS = _FrenchNumbers()


# French typography in French messages: a no-break space before `:` and narrow ones before `; ! ?`.
FRENCH = {
    # The command line
    "error": "erreur",
    "warning": "avertissement",
    "interrupted; the previous outputs are untouched": "interrompu\u202f; les fichiers déjà produits sont intacts",
    "internal error: {kind}: {detail}": "erreur interne\u00a0: {kind}\u00a0: {detail}",
    "Please report it with the manuscript that caused it.": "Merci de la signaler avec le manuscrit qui l’a causée.",
    # Finding and reading manuscripts
    "no such file; give the path of a manuscript (Markdown, text, .docx or .odt)": (
        "fichier introuvable\u202f; donnez le chemin d’un manuscrit (Markdown, texte, .docx ou .odt)"
    ),
    "no manuscript given and no 'manuscript/' folder here; give a file to build": (
        "aucun manuscrit donné et pas de dossier «\u202fmanuscript/\u202f» ici\u202f; donnez un fichier à construire"
    ),
    "no manuscript (Markdown, text, .docx or .odt) in this folder; name the one to build": (
        "aucun manuscrit (Markdown, texte, .docx ou .odt) dans ce dossier\u202f; nommez celui à construire"
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
    # Word and OpenDocument manuscripts (readers/package.py, docx.py, odt.py)
    "this document is protected by a password: open it in {app}, remove the password (File > Info > Protect Document), save it, then try again": (  # noqa: E501
        "ce document est protégé par un mot de passe\u00a0: ouvrez-le dans {app}, retirez le mot de passe "
        "(Fichier > Informations > Protéger le document), enregistrez-le, puis recommencez"
    ),
    "this is a Word 97-2003 document (.doc), which Fleuron does not read: open it in Word or LibreOffice and save it as .docx": (  # noqa: E501
        "c’est un document Word 97-2003 (.doc), que Fleuron ne lit pas\u00a0: ouvrez-le dans Word ou LibreOffice "
        "et enregistrez-le au format .docx"
    ),
    "this is an old binary document, not OpenDocument: open it in LibreOffice and save it as .odt": (
        "c’est un ancien document binaire, pas un OpenDocument\u00a0: ouvrez-le dans LibreOffice et "
        "enregistrez-le au format .odt"
    ),
    "this is not a Word document (.docx): {what}; give a .docx file, or rename the file after what it is": (
        "ce n’est pas un document Word (.docx)\u00a0: {what}\u202f; donnez un fichier .docx, ou renommez le "
        "fichier d’après ce qu’il est"
    ),
    "this is not an OpenDocument text (.odt): {what}; give an .odt file, or rename the file after what it is": (
        "ce n’est pas un texte OpenDocument (.odt)\u00a0: {what}\u202f; donnez un fichier .odt, ou renommez le "
        "fichier d’après ce qu’il est"
    ),
    "the file is damaged (its zip package or XML does not read): open it in {app}, save it again, then retry": (
        "le fichier est abîmé (son paquet zip ou son XML est illisible)\u00a0: ouvrez-le dans {app}, "
        "enregistrez-le à nouveau, puis recommencez"
    ),
    "the file's package is not a document's ({detail}): Fleuron refuses it as a zip bomb": (
        "le paquet de ce fichier n’est pas celui d’un document ({detail})\u00a0: Fleuron le refuse comme une bombe zip"
    ),
    "{count} parts": "{count}\u00a0parties",
    "{size} MB once unpacked": "{size}\u00a0Mo une fois décompressé",
    "'{part}' inflates {ratio:.0f} times": "«\u202f{part}\u202f» se décompresse {ratio:.0f}\u00a0fois",
    "the file is larger than {limit} MB, more than any manuscript": (
        "le fichier dépasse {limit}\u00a0Mo, plus qu’aucun manuscrit"
    ),
    "it is an RTF file (open it in Word or LibreOffice and save it in the right format)": (
        "c’est un fichier RTF (ouvrez-le dans Word ou LibreOffice et enregistrez-le au bon format)"
    ),
    "it is a PDF file": "c’est un fichier PDF",
    "it is empty": "il est vide",
    "it holds plain text": "il contient du texte brut",
    "it is not a zip package": "ce n’est pas un paquet zip",
    "this .docx is saved as Strict Open XML: save it from Word as 'Word Document (.docx)'": (
        "ce .docx est enregistré en Open XML strict\u00a0: enregistrez-le depuis Word en «\u202fDocument Word "
        "(.docx)\u202f»"
    ),
    "its main part is not a Word text": "sa partie principale n’est pas un texte Word",
    "the package holds no Word text (word/document.xml)": "le paquet ne contient pas de texte Word (word/document.xml)",
    "the package holds no OpenDocument text (content.xml)": (
        "le paquet ne contient pas de texte OpenDocument (content.xml)"
    ),
    "linked, not inside the document": "liée, pas dans le document",
    "{path}: no title in the document's properties nor a Title paragraph; using {title!r}": (
        "{path}\u00a0: pas de titre dans les propriétés du document ni de paragraphe Titre\u202f; "
        "titre retenu\u00a0: {title!r}"
    ),
    "{path}: the document does not say its language; {reason}": (
        "{path}\u00a0: le document ne dit pas sa langue\u202f; {reason}"
    ),
    "{path}: {count} page break dropped (the book makes its own pages)": (
        "{path}\u00a0: {count}\u00a0saut de page supprimé (le livre fait ses propres pages)"
    ),
    "{path}: {count} page breaks dropped (the book makes its own pages)": (
        "{path}\u00a0: {count}\u00a0sauts de page supprimés (le livre fait ses propres pages)"
    ),
    "{path}: {count} section break dropped (the book makes its own pages)": (
        "{path}\u00a0: {count}\u00a0saut de section supprimé (le livre fait ses propres pages)"
    ),
    "{path}: {count} section breaks dropped (the book makes its own pages)": (
        "{path}\u00a0: {count}\u00a0sauts de section supprimés (le livre fait ses propres pages)"
    ),
    "{path}: {count} field dropped ({names}): the book makes its own contents and page numbers": (
        "{path}\u00a0: {count}\u00a0champ supprimé ({names})\u00a0: le livre fait sa propre table des "
        "matières et ses numéros de page"
    ),
    "{path}: {count} fields dropped ({names}): the book makes its own contents and page numbers": (
        "{path}\u00a0: {count}\u00a0champs supprimés ({names})\u00a0: le livre fait sa propre table des "
        "matières et ses numéros de page"
    ),
    "{path}: {count} comment dropped": "{path}\u00a0: {count}\u00a0commentaire supprimé",
    "{path}: {count} comments dropped": "{path}\u00a0: {count}\u00a0commentaires supprimés",
    "{path}: {count} tracked change accepted (insertions kept, deletions dropped): check the text": (
        "{path}\u00a0: {count}\u00a0modification suivie acceptée (ajouts gardés, suppressions appliquées)"
        "\u00a0: relisez le texte"
    ),
    "{path}: {count} tracked changes accepted (insertions kept, deletions dropped): check the text": (
        "{path}\u00a0: {count}\u00a0modifications suivies acceptées (ajouts gardés, suppressions appliquées)"
        "\u00a0: relisez le texte"
    ),
    "{path}: {count} image dropped ({names}): ebooks show PNG, JPEG, GIF and WebP images; save it as one of those and insert it again": (  # noqa: E501
        "{path}\u00a0: {count}\u00a0image supprimée ({names})\u00a0: les livres numériques montrent les images "
        "PNG, JPEG, GIF et WebP\u202f; enregistrez-la dans l’un de ces formats et insérez-la à nouveau"
    ),
    "{path}: {count} images dropped ({names}): ebooks show PNG, JPEG, GIF and WebP images; save them as one of those and insert them again": (  # noqa: E501
        "{path}\u00a0: {count}\u00a0images supprimées ({names})\u00a0: les livres numériques montrent les "
        "images PNG, JPEG, GIF et WebP\u202f; enregistrez-les dans l’un de ces formats et insérez-les à nouveau"
    ),
    "{path}: {count} embedded object or chart dropped ({names}): insert it as an image": (
        "{path}\u00a0: {count}\u00a0objet ou graphique incorporé supprimé ({names})\u00a0: insérez-le comme une image"
    ),
    "{path}: {count} embedded objects or charts dropped ({names}): insert them as images": (
        "{path}\u00a0: {count}\u00a0objets ou graphiques incorporés supprimés ({names})\u00a0: insérez-les "
        "comme des images"
    ),
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
    "'{alias}' and '{key}' say the same thing; keep one": (
        "«\u202f{alias}\u202f» et «\u202f{key}\u202f» disent la même chose\u202f; n’en gardez qu’une"
    ),
    "{where}: front matter key '{key}' means nothing to Fleuron; ignored": (
        "{where}\u00a0: la clé d’en-tête «\u202f{key}\u202f» ne dit rien à Fleuron\u202f; ignorée"
    ),
    "'{key}: {value}' takes one of: {choices}": (
        "«\u202f{key}\u00a0: {value}\u202f» prend l’une des valeurs\u00a0: {choices}"
    ),
    "'paper_caliper_mm: {value}' is the paper's thickness per page in millimetres (half a sheet's), "
    "between {low} and {high} (e.g. 0.057)": (
        "«\u202fpaper_caliper_mm\u00a0: {value}\u202f» est l’épaisseur du papier par page en millimètres (la "
        "moitié de celle d’une feuille), entre {low} et {high} (par exemple 0.057)"
    ),
    "'isbn: {value}' is not an ISBN-13 (13 digits starting 978 or 979)": (
        "«\u202fisbn\u00a0: {value}\u202f» n’est pas un ISBN-13 (13 chiffres commençant par 978 ou 979)"
    ),
    "'isbn: {value}' has a wrong check digit: with these first 12 digits it is {check}": (
        "«\u202fisbn\u00a0: {value}\u202f» a une clé de contrôle fausse\u00a0: avec ces 12 premiers chiffres, "
        "c’est {check}"
    ),
    "'{key}' must be a single text value": "«\u202f{key}\u202f» doit être un seul texte",
    "'{key}' must be a text or a list of texts": "«\u202f{key}\u202f» doit être un texte ou une liste de textes",
    "'{key}' is true or false": "«\u202f{key}\u202f» vaut true ou false",
    "'date: {value}' is before the year 1000; give the date of this edition": (
        "«\u202fdate\u00a0: {value}\u202f» est antérieure à l’an 1000\u202f; donnez la date de cette édition"
    ),
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
    # Paths outside the project (links, fleuron.toml, --allow-outside)
    " (it leads to {path})": " (il mène à {path})",
    "the manuscript": "le manuscrit",
    "source '{name}'": "la source «\u202f{name}\u202f»",
    "the 'manuscript/' folder leads out of this folder (to {target}): copy the manuscripts into the project, or name the file to build": (  # noqa: E501
        "le dossier «\u202fmanuscript/\u202f» mène hors de ce dossier (vers {target})\u00a0: copiez les manuscrits "
        "dans le projet, ou nommez le fichier à construire"
    ),
    "source '{name}' is outside the project's folder ({folder}); pass --allow-outside if this is intended": (
        "la source «\u202f{name}\u202f» est hors du dossier du projet ({folder})\u202f; passez --allow-outside "
        "si c’est voulu"
    ),
    "output folder '{name}'{target} is outside the project's folder ({folder}); pass --allow-outside if this is intended, or name the folder with -o": (  # noqa: E501
        "le dossier de sortie «\u202f{name}\u202f»{target} est hors du dossier du projet ({folder})\u202f; passez "
        "--allow-outside si c’est voulu, ou nommez le dossier avec -o"
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
    "the book has more than {limit} headings (the limit is {limit}; "
    "make the smallest ones bold paragraphs, or split the book into volumes)": (
        "le livre a plus de {limit}\u00a0titres (la limite est de {limit}\u202f; "
        "faites des plus petits des paragraphes en gras, ou découpez le livre en volumes)"
    ),
    "this table has {count} cells (the limit is {limit}; split it into several tables, "
    "or publish such data beside the book)": (
        "ce tableau a {count}\u00a0cases (la limite est de {limit}\u202f; découpez-le en plusieurs tableaux, "
        "ou publiez ces données à côté du livre)"
    ),
    "this paragraph is {count} characters long (the limit is {limit}; split it with a blank line)": (
        "ce paragraphe fait {count}\u00a0caractères (la limite est de {limit}\u202f; coupez-le par une ligne vide)"
    ),
    "{count} characters without a space here (the limit is {limit}; no word is that long: "
    "add spaces, or put such text in a code block)": (
        "{count}\u00a0caractères sans espace ici (la limite est de {limit}\u202f; aucun mot n’est si long\u00a0: "
        "ajoutez des espaces, ou mettez ce texte dans un bloc de code)"
    ),
    "the link to '{target}' names no heading, figure or table of the book": (
        "le lien vers «\u202f{target}\u202f» ne mène à aucun titre, aucune figure ni aucun tableau du livre"
    ),
    "the anchor '{anchor}' is already given at {where}; give each element its own anchor": (
        "l’ancre «\u202f{anchor}\u202f» est déjà donnée en {where}\u202f; donnez à chaque élément la sienne"
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
    "page_size must be a whole number of titles, 1 or more": (
        "page_size doit être un nombre entier de titres, 1 ou plus"
    ),
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
    # The log's levels (the command line)
    "info": "info",
    "debug": "débogage",
    # The command line and the preview
    "{path}: no title line found: fill in 'title' in its front matter (marked TODO)": (
        "{path}\u00a0: aucune ligne de titre trouvée\u00a0: complétez «\u202ftitle\u202f» dans son en-tête "
        "(marqué TODO)"
    ),
    "preview: {address}": "aperçu\u00a0: {address}",
    "error: {message}": "erreur\u00a0: {message}",
    # Importing plain text
    "this is a folder; give the plain-text file to import": (
        "c’est un dossier\u202f; donnez le fichier texte à importer"
    ),
    "the output would replace the text being imported; give another name with -o": (
        "le résultat remplacerait le texte importé\u202f; donnez un autre nom avec -o"
    ),
    "already exists; give another name with -o, or --force to replace it": (
        "existe déjà\u202f; donnez un autre nom avec -o, ou --force pour le remplacer"
    ),
    "{path}: no title line found; using {title!r} (`fleuron import` writes a front matter to fill in)": (
        "{path}\u00a0: aucune ligne de titre trouvée\u202f; titre retenu\u00a0: «\u202f{title}\u202f» "
        "(`fleuron import` écrit un en-tête à compléter)"
    ),
    "'{lang}' is not a language tag; give one like 'fr' or 'en-GB'": (
        "«\u202f{lang}\u202f» n’est pas un code de langue\u202f; donnez-en un comme «\u202ffr\u202f» ou "
        "«\u202fen-GB\u202f»"
    ),
    # Reading the manuscript (more)
    "the manuscript is larger than {limit} MB, the most Fleuron lays out (see SECURITY.md)": (
        "le manuscrit dépasse {limit}\u00a0Mo, le plus que Fleuron met en pages (voir SECURITY.md)"
    ),
    "unexpected Markdown token {kind!r}": "élément Markdown inattendu {kind!r}",
    "unexpected Markdown inline token {kind!r}": "élément Markdown de ligne inattendu {kind!r}",
    "quotes or lists are nested too deep here (at most {levels} levels); flatten them": (
        "citations ou listes trop imbriquées ici (au plus {levels}\u00a0niveaux)\u202f; aplatissez-les"
    ),
    "emphasis, links or HTML nested more than {levels} levels deep; simplify this line": (
        "emphase, liens ou HTML imbriqués sur plus de {levels}\u00a0niveaux\u202f; simplifiez cette ligne"
    ),
    # Front matter (more)
    "{path}: no 'title' in the front matter; using {title!r}": (
        "{path}\u00a0: pas de «\u202ftitle\u202f» dans l’en-tête\u202f; titre retenu\u00a0: «\u202f{title}\u202f»"
    ),
    "{path}: no 'lang' in the front matter; assuming '{lang}'": (
        "{path}\u00a0: pas de «\u202flang\u202f» dans l’en-tête\u202f; langue supposée\u00a0: «\u202f{lang}\u202f»"
    ),
    "'raw_html: {value}' takes one of: {choices}": (
        "«\u202fraw_html\u00a0: {value}\u202f» prend l’une de ces valeurs\u00a0: {choices}"
    ),
    # Raw HTML and pandoc's Markdown (readers/html.py, readers/markdown.py)
    "{where}: {what} dropped (its text is kept)": "{where}\u00a0: {what} retiré(e) (son texte est gardé)",
    "{where}: <{tag}> dropped with its content": "{where}\u00a0: <{tag}> retiré avec son contenu",
    "the tag <{tag}>": "la balise <{tag}>",
    "<{tag}> nested too deep": "la balise <{tag}>, imbriquée trop profondément,",
    "the tag <{tag}> inside a line of text": "la balise <{tag}> dans une ligne de texte",
    "the tag <{tag}> out of a table": "la balise <{tag}> hors d’un tableau",
    "a closing </{tag}> with no opening tag": "une balise fermante </{tag}> sans ouvrante",
    "a link inside a link": "un lien dans un lien",
    "a link to {target!r} (only http, https, mailto and #anchor)": (
        "un lien vers {target!r} (seuls http, https, mailto et #ancre sont permis)"
    ),
    "an unfinished HTML tag": "une balise HTML inachevée",
    "the attributes {names} of <{tag}>": "les attributs {names} de <{tag}>",
    "the declaration <!{what}>": "la déclaration <!{what}>",
    "the instruction <?{what}>": "l’instruction <?{what}>",
    "{where}: the title block's date {value!r} is not YYYY-MM-DD; left out": (
        "{where}\u00a0: la date du bloc de titre, {value!r}, n’est pas au format AAAA-MM-JJ\u202f; ignorée"
    ),
    "'#{identifier}' is no identifier: start it with a letter, then letters, digits, '-', '_' or '.'": (
        "«\u202f#{identifier}\u202f» n’est pas un identifiant\u00a0: commencez-le par une lettre, suivie de "
        "lettres, de chiffres, de «\u202f-\u202f», «\u202f_\u202f» ou «\u202f.\u202f»"
    ),
    "'typography' must be a mapping of options, e.g. 'compat: true'": (
        "«\u202ftypography\u202f» doit être un ensemble d’options, par exemple «\u202fcompat\u00a0: true\u202f»"
    ),
    "'disable' takes rule codes among {codes}": "«\u202fdisable\u202f» prend des codes de règles parmi {codes}",
    "typography option '{key}' takes one of: {choices}": (
        "l’option typographique «\u202f{key}\u202f» prend l’une de ces valeurs\u00a0: {choices}"
    ),
    "unknown typography option '{key}'": "option typographique inconnue «\u202f{key}\u202f»",
    "YAML aliases ('*name') are not allowed in the front matter; write it out": (
        "les alias YAML («\u202f*nom\u202f») sont interdits dans l’en-tête\u202f; écrivez la valeur en entier"
    ),
    "the front matter nests deeper than {levels} levels": "l’en-tête s’imbrique sur plus de {levels}\u00a0niveaux",
    # The book's fonts (styles/fonts.toml)
    " (Debian package {package}: `make` installs it)": " (paquet Debian {package}\u00a0: `make` l’installe)",
    "font file {file} of {family} not found in styles/fonts/ or the system's font folders; install it{hint}": (
        "fichier de police {file} de {family} introuvable dans styles/fonts/ et dans les dossiers de polices du "
        "système\u202f; installez-le{hint}"
    ),
    "does not parse: {reason}": "illisible\u00a0: {reason}",
    "needs a `family` and at least one [[face]]": "il y faut une `family` et au moins une [[face]]",
    "each [[face]] needs role (text or mono), weight, style (normal or italic) and file; got {face}": (
        "chaque [[face]] demande role (text ou mono), weight, style (normal ou italic) et file\u202f; "
        "reçu\u00a0: {face}"
    ),
    'needs at least one face with role = "text"': 'il y faut au moins une [[face]] avec role = "text"',
    "cannot write a completed copy of {name} in {folder}": (
        "impossible d’écrire une copie complétée de {name} dans {folder}"
    ),
    "the font has no hyphen to lend to U+2011": "la police n’a pas de trait d’union à prêter à U+2011",
    "cannot add glyphs to a CID-keyed CFF font; choose another font": (
        "impossible d’ajouter des glyphes à une police CFF à clés CID\u202f; choisissez une autre police"
    ),
    "the font has neither TrueType nor CFF outlines": "la police n’a ni contours TrueType ni contours CFF",
    # The book's layout (PDF) and the EPUB's packaging
    "the front matter's 'trim'": "la clé «\u202ftrim\u202f» de l’en-tête",
    "unknown trim '{name}' in {where}; choose among {choices}": (
        "format de page inconnu «\u202f{name}\u202f» dans {where}\u202f; choisissez parmi {choices}"
    ),
    "{file}:{line}: {char!r} (U+{code:04X}) is not in the book's font {family}; it would come from another font": (
        "{file}:{line}\u00a0: {char!r} (U+{code:04X}) n’est pas dans la police du livre, {family}\u202f; "
        "il viendrait d’une autre police"
    ),
    "unknown PDF variant '{variant}'; choose among {choices}": (
        "variante de PDF inconnue «\u202f{variant}\u202f»\u202f; choisissez parmi {choices}"
    ),
    "the PDF may only use the manuscript's own files: {reason}": (
        "le PDF ne peut utiliser que les fichiers du manuscrit\u00a0: {reason}"
    ),
    "the PDF uses fonts other than {family}: {others}": "le PDF utilise d’autres polices que {family}\u00a0: {others}",
    "no font could draw {chars}: the PDF shows blank boxes instead": (
        "aucune police ne sait dessiner {chars}\u00a0: le PDF montre des cases vides à la place"
    ),
    "the layout's process ended ({code}) without a result ({reason})": (
        "le processus de mise en pages s’est terminé ({code}) sans résultat ({reason})"
    ),
    "{reason}; laying out in this process": "{reason}\u202f; mise en pages dans ce processus-ci",
    "{reason}; laying out the book whole": "{reason}\u202f; mise en pages du livre d’un seul tenant",
    "the page numbers of the contents and references did not settle": (
        "les numéros de page de la table et des renvois ne se sont pas stabilisés"
    ),
    "the book's runs of chapters could not all be laid out": (
        "les suites de chapitres du livre n’ont pas toutes pu être mises en pages"
    ),
    "ebooklib could not write the EPUB": "ebooklib n’a pas pu écrire l’EPUB",
    "stylesheet '{name}' not found in {folder}": "feuille de style «\u202f{name}\u202f» introuvable dans {folder}",
    "the build took longer than {seconds} s (--max-seconds); nothing was changed": (
        "la construction a duré plus de {seconds}\u00a0s (--max-seconds)\u202f; rien n’a été changé"
    ),
    "the layout needed more than {megabytes} MB of memory (--max-memory); nothing was changed": (
        "la mise en page demandait plus de {megabytes}\u00a0Mo de mémoire (--max-memory)\u202f; rien n’a été changé"
    ),
    "SOURCE_DATE_EPOCH={epoch!r} is before the year 1000": "SOURCE_DATE_EPOCH={epoch!r} est antérieur à l’an 1000",
    "SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds": (
        "SOURCE_DATE_EPOCH={epoch!r} n’est pas un nombre de secondes"
    ),
    "no 'date' in the front matter and no SOURCE_DATE_EPOCH: the build is stamped now": (
        "ni «\u202fdate\u202f» dans l’en-tête ni SOURCE_DATE_EPOCH\u00a0: la construction est datée de maintenant"
    ),
    # Images (more)
    "image '{source}'": "l’image «\u202f{source}\u202f»",
    "image '{source}' is not a valid address": "l’image «\u202f{source}\u202f» n’a pas une adresse valide",
    "image '{source}' is not a local file: save it beside the manuscript and link it by its path": (
        "l’image «\u202f{source}\u202f» n’est pas un fichier local\u00a0: enregistrez-la à côté du manuscrit "
        "et indiquez son chemin"
    ),
    "{what} is not a well-formed SVG file: {reason}": "{what} n’est pas un fichier SVG bien formé\u00a0: {reason}",
    "{what} declares entities (a DOCTYPE): Fleuron refuses such SVG files": (
        "{what} déclare des entités (un DOCTYPE)\u00a0: Fleuron refuse ces fichiers SVG"
    ),
    "{what} holds {problem}: only self-contained SVG images are accepted": (
        "{what} contient {problem}\u00a0: seules les images SVG autonomes sont acceptées"
    ),
    "a <{name}> element": "un élément <{name}>",
    "an event handler ({name})": "un gestionnaire d’événement ({name})",
    "a reference to {target!r}": "une référence à {target!r}",
    "a style that loads a file": "un style qui charge un fichier",
    "an animation that changes a link (<{name} attributeName={value!r}>)": (
        "une animation qui modifie un lien (<{name} attributeName={value!r}>)"
    ),
    "a script address in its '{name}' attribute": "une adresse de script dans son attribut «\u202f{name}\u202f»",
    "an address outside the image in its '{name}' attribute ({value!r})": (
        "une adresse hors de l’image dans son attribut «\u202f{name}\u202f» ({value!r})"
    ),
    "image '{source}' is not a PNG, JPEG, GIF or WebP image": (
        "l’image «\u202f{source}\u202f» n’est pas une image PNG, JPEG, GIF ou WebP"
    ),
    "cannot keep the fetched image '{source}' in {folder}: {reason}": (
        "impossible de garder l’image téléchargée «\u202f{source}\u202f» dans {folder}\u00a0: {reason}"
    ),
    "image 'data:{header}…' is not a valid data: URL of at most 20 MB": (
        "l’image «\u202fdata:{header}…\u202f» n’est pas une URL data: valide d’au plus 20\u00a0Mo"
    ),
    "image 'data:{header}…' does not decode": "l’image «\u202fdata:{header}…\u202f» ne se décode pas",
    "image '{url}' could not be fetched: {reason}": (
        "l’image «\u202f{url}\u202f» n’a pas pu être téléchargée\u00a0: {reason}"
    ),
    # The catalogue (catalog.py, catalog_command.py)
    "titles": "titres",
    "built": "construit",
    "failed": "en échec",
    "{count} file(s)": "{count} fichier(s)",
    "{seconds:.1f} s": "{seconds:.1f}\u00a0s",
    "{built} built, {unchanged} unchanged, {failed} failed in {seconds:.1f} s; the catalogue is in {out}": (
        "{built} construit(s), {unchanged} inchangé(s), {failed} en échec en {seconds:.1f}\u00a0s\u202f; "
        "le catalogue est dans {out}"
    ),
    "the process building it died twice ({reason})": "le processus qui le construisait est mort deux fois ({reason})",
    "its process ended unexpectedly": "son processus s’est arrêté inopinément",
    "a process died while building {titles}: each built again, alone": (
        "un processus est mort en construisant {titles}\u00a0: chacun est reconstruit, seul"
    ),
    "a Dask worker died while building {title} ({worker}): tried once more, elsewhere": (
        "un travailleur Dask est mort en construisant {title} ({worker})\u00a0: essayé encore une fois, ailleurs"
    ),
    "Dask workers {workers}": "travailleurs Dask {workers}",
    "the Dask workers {workers} have several threads each: start them with --nthreads 1 (a layout holds Python's lock, so threads add no speed)": (  # noqa: E501
        "les travailleurs Dask {workers} ont plusieurs fils chacun\u00a0: lancez-les avec --nthreads 1 (une mise "
        "en page garde le verrou de Python, des fils n’accélèrent donc rien)"
    ),
    "Dask is not installed: pip install 'dask[distributed]'": (
        "Dask n’est pas installé\u00a0: pip install 'dask[distributed]'"
    ),
    "cannot reach the Dask scheduler at {address}: {reason}": (
        "impossible de joindre l’ordonnanceur Dask à {address}\u00a0: {reason}"
    ),
    "no such folder; give the catalogue's folder, one folder per title": (
        "dossier introuvable\u202f; donnez le dossier du catalogue, un dossier par titre"
    ),
    "no title in this folder: put each title's project in a folder of its own": (
        "aucun titre dans ce dossier\u00a0: mettez le projet de chaque titre dans un dossier à lui"
    ),
    "no catalogue here: build one with `fleuron catalog build`": (
        "pas de catalogue ici\u00a0: construisez-en un avec `fleuron catalog build`"
    ),
    "serving {folder} on {address} (OPDS 2.0: {address}opds.json, OPDS 1.2: {address}catalog.xml); Ctrl-C stops": (
        "{folder} servi sur {address} (OPDS\u00a02.0\u00a0: {address}opds.json, OPDS\u00a01.2\u00a0: "
        "{address}catalog.xml)\u202f; Ctrl-C arrête"
    ),
    # PDF/X (writers/pdfx.py)
    "PDF/X needs the CMYK profile {path}: install it with `apt-get install {package}`": (
        "le PDF/X demande le profil CMJN {path}\u00a0: installez-le avec `apt-get install {package}`"
    ),
    "the PDF would not be {variant}: {problems}": "le PDF ne serait pas {variant}\u00a0: {problems}",
    "no GTS_PDFX output intent (exactly one is required)": (
        "pas de mode de sortie (OutputIntent) GTS_PDFX (il en faut exactement un)"
    ),
    "the output intent has no CMYK profile": "le mode de sortie n’a pas de profil CMJN",
    "GTS_PDFXVersion is not {version}": "GTS_PDFXVersion n’est pas {version}",
    "GTS_PDFXConformance is not {version}": "GTS_PDFXConformance n’est pas {version}",
    "the XMP has no pdfxid:GTS_PDFXVersion PDF/X-4": "le XMP n’a pas de pdfxid:GTS_PDFXVersion PDF/X-4",
    "the XMP has no {key}": "le XMP n’a pas de {key}",
    "Trapped is neither True nor False": "Trapped n’est ni True ni False",
    "the document has no title": "le document n’a pas de titre",
    "PDF {found} is past what {variant} allows ({allowed})": "PDF {found} dépasse ce que permet {variant} ({allowed})",
    "no {box}": "pas de {box}",
    "a transparency group that blends in RGB": "un groupe de transparence qui se mélange en RVB",
    "a transparency group in {variant}": "un groupe de transparence en {variant}",
    "colours in RGB in the page's content": "des couleurs RVB dans le contenu de la page",
    "colours in RGB in a form or pattern": "des couleurs RVB dans un objet ou un motif",
    "font {name} is not embedded": "la police {name} n’est pas incorporée",
    "transparency (soft mask, alpha or blend mode) in {variant}": (
        "de la transparence (masque, opacité ou mode de fusion) en {variant}"
    ),
    "an image in RGB ({width}×{height} px)": "une image en RVB ({width}\u202f×\u202f{height}\u00a0px)",
    "an image with a soft mask (transparency) in {variant}": "une image avec un masque (transparence) en {variant}",
    "a gradient in RGB": "un dégradé en RVB",
    # Print-on-demand profiles (writers/pod.py) and preflight (preflight.py)
    "unknown print-on-demand service '{name}'; choose among {choices}": (
        "service d’impression à la demande inconnu «\u202f{name}\u202f»\u202f; choisissez parmi {choices}"
    ),
    "{service} does not print a {width:g}×{height:g} mm trim; it takes {trims}": (
        "{service} n’imprime pas le format {width:g}\u202f×\u202f{height:g}\u00a0mm\u202f; il prend {trims}"
    ),
    "; or any width from {min_w:g} to {max_w:g} in and height from {min_h:g} to {max_h:g} in": (
        "\u202f; ou toute largeur de {min_w:g} à {max_w:g}\u00a0po et toute hauteur de {min_h:g} à {max_h:g}\u00a0po"
    ),
    "{service} refuses crop marks: the book has none": (
        "{service} refuse les traits de coupe\u00a0: le livre n’en a pas"
    ),
    "{service} takes {wanted}, not {variant}: drop --pdf-variant or choose {wanted}": (
        "{service} demande {wanted}, pas {variant}\u00a0: retirez --pdf-variant ou choisissez {wanted}"
    ),
    "{service} prints at least {count} pages; the book has {pages}": (
        "{service} imprime au moins {count}\u00a0pages\u202f; le livre en a {pages}"
    ),
    "{service} prints at most {count} pages; the book has {pages}": (
        "{service} imprime au plus {count}\u00a0pages\u202f; le livre en a {pages}"
    ),
    "page {page}": "page {page}",
    "file": "fichier",
    "no such file; give a PDF or a manuscript": "fichier introuvable\u202f; donnez un PDF ou un manuscrit",
    "not a PDF that can be read: {reason}": "pas un PDF lisible\u00a0: {reason}",
    "an image of {width}×{height} px": "une image de {width}\u202f×\u202f{height}\u00a0px",
    "{name}: {ppi:.0f} ppi at its printed size (300 needed)": (
        "{name}\u00a0: {ppi:.0f}\u00a0ppp à sa taille imprimée (il en faut 300)"
    ),
    "the bleed is not {bleed:g} in on every side": "le fond perdu n’est pas de {bleed:g}\u00a0po de chaque côté",
    "text past the trim: {words}": "du texte au-delà de la coupe\u00a0: {words}",
    "the safety margin ({outside:g} in; inside {inside:g} in)": (
        "la marge de sécurité ({outside:g}\u00a0po\u202f; petit fond {inside:g}\u00a0po)"
    ),
    "text within {margin}: {words}": "du texte dans {margin}\u00a0: {words}",
    "preflight needs poppler's pdftotext: install it with `apt-get install poppler-utils`": (
        "le contrôle demande pdftotext (poppler)\u00a0: installez-le avec `apt-get install poppler-utils`"
    ),
    "pdftotext could not read the PDF: {reason}": "pdftotext n’a pas pu lire le PDF\u00a0: {reason}",
    "{count} problem(s) a print shop would reject": "{count}\u00a0problème(s) qu’un imprimeur refuserait",
    "ready to print": "prêt à imprimer",
}
