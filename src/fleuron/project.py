"""`fleuron init`: a new book project that builds at once."""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from pathlib import Path

from .config import CONFIG_FILE
from .errors import FleuronError
from .messages import _
from .writers.stylesheets import default_styles_dir

_STYLES = ("epub.css", "text.css", "print.css", "handout.css", "fonts.toml")


def init_project(folder: Path) -> list[Path]:
    """Write the project's files into `folder` (new or empty); returns them."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise FleuronError(_("this folder is not empty; give a new folder's name"), str(folder))
    today = dt.date.today().isoformat()
    files = {
        "manuscript/livre.md": _MANUSCRIPT.format(identifier=uuid.uuid4(), date=today),
        CONFIG_FILE: _CONFIG,
        "README.md": _README,
        ".gitignore": "/dist/\n",
    }
    written = []
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    (folder / "styles").mkdir()
    for name in _STYLES:
        written.append(Path(shutil.copyfile(default_styles_dir() / name, folder / "styles" / name)))
    return written


_MANUSCRIPT = """\
---
# Ce qui décrit le livre. Chaque ligne « clé : valeur » ; ce qui suit un # est un commentaire.
# Le titre, tel qu'il paraîtra sur la couverture et dans les librairies numériques.
title: "Mon livre"
# La langue du texte : « fr » applique la typographie française (espaces fines, guillemets…).
lang: fr
# Un identifiant stable, fait une fois pour toutes : gardez-le d'une édition à l'autre.
identifier: "urn:uuid:{identifier}"
# La date de cette édition (AAAA-MM-JJ) ; elle date aussi les fichiers produits.
date: {date}
# Les auteurs, un par élément de la liste ; laissez la liste vide s'ils sont inconnus.
authors: []
rights: "Tous droits réservés."
description: "Une phrase qui présente le livre."
---

Le texte commence ici. Écrivez comme d'habitude : "guillemets droits", points de
suspension... et espaces avant les deux-points : Fleuron corrige la typographie à la
construction, sans toucher à ce fichier. Séparez les paragraphes par une ligne vide.

## Première partie

Un titre précédé de « ## » ouvre une partie, sur une belle page dans le livre imprimé.

### Une section

- une liste
- à puces
"""

_CONFIG = """\
# Les réglages du projet. `fleuron build` les lit ; les options de la ligne de commande
# l'emportent sur eux, et l'en-tête de chaque manuscrit aussi.

[book]
# Les manuscrits, dans l'ordre des chapitres.
sources = ["manuscript/livre.md"]
# Le dossier des fichiers produits, et lesquels produire (epub, pdf, handout, html).
output = "dist"
formats = ["epub", "pdf", "handout"]

[print]
# Le format du livre : a5, 6x9in ou 110x178mm.
trim = "a5"
# Des traits de coupe, si l'imprimeur les demande.
marks = false

[epub]
# Mettre la police du livre dans l'EPUB (sinon, la liseuse choisit).
embed_fonts = false

[typography]
# Voir la table des règles dans le README de Fleuron ; par exemple :
# compat = true        # espaces insécables ordinaires au lieu des fines (vieilles liseuses)
# disable = ["R10"]    # ne pas grouper les milliers
"""

_README = """\
# Mon livre

Le texte est dans `manuscript/livre.md` (Markdown) ; les réglages dans `fleuron.toml` ;
l'apparence dans `styles/` (les feuilles de style et la police, à modifier à votre goût).

    fleuron build     # produit dist/ : l'EPUB, le livre en PDF et le polycopié A4
    fleuron check     # liste les corrections typographiques que fera la construction
    fleuron watch     # reconstruit à chaque enregistrement, aperçu sur http://127.0.0.1:8000/

Seuls les fichiers qui ont changé sont reconstruits. `dist/manifest.json` donne la taille,
l'empreinte SHA-256 et le nombre de pages de chaque fichier ; `fleuron build --zip` les
réunit dans une archive prête à envoyer.
"""
