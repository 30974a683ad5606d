"""La version imprimable des règles d'usage : une page A4, en PDF (WeasyPrint).

Le texte est mis en page à la plus grande taille de police qui tient sur une page : on cherche par
dichotomie parmi les tailles permises (de 11 à 4,5 points, par demi-point). Les limites d'une version
(40 règles de 400 caractères au plus, `depart.py`) garantissent qu'une taille convient toujours."""

from __future__ import annotations

import gc
import re

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from .models import VersionRegles

# En dixièmes de point, de la plus petite à la plus grande.
TAILLES = list(range(45, 111, 5))


def html(version: VersionRegles, taille: int) -> str:
    return render_to_string(
        "regles_usage/imprimable.html",
        {
            "v": version,
            "organisation": version.organisation,
            "taille": f"{taille / 10:.1f}pt",
            "interligne": f"{taille * 1.3 / 10:.2f}pt",
            "le": timezone.localdate(),
        },
    )


def _pages(version: VersionRegles, taille: int) -> tuple[int, bytes | None]:
    document = HTML(string=html(version, taille)).render()
    if len(document.pages) > 1:
        return len(document.pages), None
    return 1, document.write_pdf()


def pdf(version: VersionRegles) -> tuple[bytes, float]:
    """Le PDF d'une page et la taille de police retenue (en points)."""
    gc.disable()  # voir instruments/dossier.py : WeasyPrint crée des objets en cycles par dizaines de milliers
    try:
        bas, haut = 0, len(TAILLES) - 1
        retenu: tuple[bytes, int] | None = None
        while bas <= haut:
            milieu = (bas + haut) // 2
            _, contenu = _pages(version, TAILLES[milieu])
            if contenu is None:
                haut = milieu - 1
            else:
                retenu = (contenu, TAILLES[milieu])
                bas = milieu + 1
        if retenu is None:  # ne devrait pas arriver dans les limites d'une version : la plus petite taille
            _, contenu = _pages(version, TAILLES[0])
            retenu = (contenu or HTML(string=html(version, TAILLES[0])).write_pdf(), TAILLES[0])
        return retenu[0], retenu[1] / 10
    finally:
        gc.enable()


_INTERDITS = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def nom_fichier(version: VersionRegles) -> str:
    """« Règles d'usage de l'IA - Commune de Balise - 2026-03-01 (version 2).pdf » : lisible, sans
    caractère refusé par un système de fichiers."""
    le = timezone.localdate(version.publiee_le) if version.publiee_le else timezone.localdate()
    nom = " ".join(_INTERDITS.sub(" ", version.organisation.nom).split())[:80] or "organisation"
    suffixe = (
        "" if version.statut == VersionRegles.Statut.PUBLIEE else f" ({version.get_statut_display().lower()})"
    )
    return f"Règles d'usage de l'IA - {nom} - {le:%Y-%m-%d} (version {version.numero}){suffixe}.pdf"
