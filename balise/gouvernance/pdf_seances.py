"""Les PDF des séances (WeasyPrint) : le dossier figé d'un point, le procès-verbal.

Le dossier d'un point qui porte sur un système est le dossier du comité (instruments/dossier.py) tel
qu'il est au moment de la convocation ; celui d'un point libre reprend son intitulé et sa présentation.
"""

from __future__ import annotations

import gc
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from balise.instruments import dossier

from .models import Point, Seance


def _pdf(contenu: str) -> bytes:
    # Comme instruments/dossier.py : le ramasse-miettes est suspendu le temps de la mise en page.
    gc.disable()
    try:
        resultat: bytes = HTML(string=contenu).write_pdf()
        return resultat
    finally:
        gc.enable()


def dossier_point(point: Point) -> bytes:
    if point.systeme is not None:
        return dossier.pdf(point.systeme)
    seance = point.seance
    contexte = {"point": point, "seance": seance, "instance": seance.instance, "le": timezone.now()}
    return _pdf(render_to_string("gouvernance/seances/pdf_point.html", contexte))


def proces_verbal(seance: Seance, contexte: dict[str, Any]) -> bytes:
    """`contexte` : la page de séance déjà lue (points, feuille, quorum) ; voir selectors_seances."""
    donnees = {**contexte, "seance": seance, "instance": seance.instance, "le": timezone.now()}
    return _pdf(render_to_string("gouvernance/seances/pdf_proces_verbal.html", donnees))
