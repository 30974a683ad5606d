"""Lire les rapports produits avec de vrais analyseurs (pypdf, odfpy, python-docx) : leurs titres,
leurs tableaux et leur texte, pour les comparer à la base dans les tests."""

from __future__ import annotations

import io

import docx
import pypdf
from odf import opendocument, teletype
from odf import table as odf_table
from odf import text as odf_text

Grille = list[list[str]]


def tableaux_docx(contenu: bytes) -> list[Grille]:
    doc = docx.Document(io.BytesIO(contenu))
    return [[[case.text for case in rang.cells] for rang in t.rows] for t in doc.tables]


def titres_docx(contenu: bytes) -> list[tuple[str, str]]:
    doc = docx.Document(io.BytesIO(contenu))
    return [(p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith(("Heading", "Title"))]


def tableaux_odt(contenu: bytes) -> list[Grille]:
    doc = opendocument.load(io.BytesIO(contenu))
    grilles = []
    for t in doc.getElementsByType(odf_table.Table):
        grilles.append(
            [
                [teletype.extractText(c) for c in rang.getElementsByType(odf_table.TableCell)]
                for rang in t.getElementsByType(odf_table.TableRow)
            ]
        )
    return grilles


def titres_odt(contenu: bytes) -> list[tuple[int, str]]:
    doc = opendocument.load(io.BytesIO(contenu))
    return [
        (int(h.getAttribute("outlinelevel")), teletype.extractText(h))
        for h in doc.getElementsByType(odf_text.H)
    ]


def texte_pdf(contenu: bytes) -> str:
    lecteur = pypdf.PdfReader(io.BytesIO(contenu))
    return "\n".join(page.extract_text() for page in lecteur.pages)


def jetons(texte: str) -> list[str]:
    return texte.replace("\u202f", "").split()


def entier(texte: str) -> int | None:
    """« 1 234 » → 1234 ; « secret » → None."""
    return None if texte == "secret" else int(texte.replace("\u202f", "").replace(" ", ""))
